# Extra maxstat references for recur's cutpoint scan (issue 11), written to
# maxstat_reference.json next to this script. Run from this folder:
#   Rscript make_reference.R
# R 4.2.2, survival 3.5.3, maxstat 0.7.25, jsonlite (Debian 12 packages). Tests never run R.
# 1. HL above N = 170: maxstat:::pmaxstat with its one overflowing product,
#    H * gamma(m + 1) * gamma(N - m + 1) / gamma(N + 1), computed in log space
#    (lgamma); nothing else changed. On the lung data of ../../../../shared/reference.
# 2. Simulated data sets (stored in the JSON) with tied times and tied x:
#    maxstat.test with Lau92, HL (N <= 170 only: R's own pmaxstat) and condMC.
suppressMessages({library(survival); library(maxstat); library(jsonlite)})
source("../capture.R")  # capture(expr): value or error, and the warnings

src <- deparse(maxstat:::pmaxstat)
src <- sub("H <- H * gamma(m + 1) * gamma(N - m + 1)",
           "H <- H * exp(lgamma(m + 1) + lgamma(N - m + 1) - lgamma(N + 1))", src, fixed = TRUE)
src <- sub("gaN <- gamma(N + 1)", "gaN <- 1", src, fixed = TRUE)
stopifnot(sum(grepl("lgamma", src)) == 1, sum(grepl("gaN <- 1", src)) == 1)
pmaxstat_log <- eval(parse(text = src), envir = asNamespace("maxstat"))

lung <- read.csv("../../../../shared/reference/data/lung.csv")
lung_meal <- lung[!is.na(lung$meal.cal), ]

hl_logspace <- function(d, x) {
  y <- Surv(d$time, d$event)
  dd <- data.frame(time = d$time, event = d$event, v = d[[x]])
  r <- maxstat.test(Surv(time, event) ~ v, data = dd, smethod = "LogRank", pmethod = "HL", minprop = 0.1, maxprop = 0.9)
  # the scores maxstat passes to pmaxstat: iscores applied, ordered by x
  sc <- exactRankTests::cscores(y, type = "LogRank", int = FALSE)
  fs <- sc - floor(sc)
  sc <- if (all(fs[fs != 0] == 0.5)) 2 * sc else round((sc - min(sc)) * length(sc) / max(sc - min(sc)))
  xs <- d[[x]]
  ys <- sc[order(xs)]
  xsort <- sort(xs)
  m <- which(!duplicated(xsort)) - 1
  N <- length(xs)
  m <- m[m >= max(1, floor(N * 0.1)) & m <= floor(N * 0.9)]
  list(x = x, n = N, R_call = paste0("maxstat.test(Surv(time, event) ~ ", x,
       ", smethod = 'LogRank', pmethod = 'HL') with pmaxstat's gamma product in log space"),
       statistic_M = unname(r$statistic), estimated_cutpoint = unname(r$estimate),
       p_value_R = r$p.value,  # NaN above N = 170, written as null
       p_value_logspace = pmaxstat_log(r$statistic, ys, m))
}

simulate <- function(n, seed, x_digits, effect) {  # hazard exp(effect) above x = 65; integer times (ties)
  set.seed(seed)
  x <- round(rnorm(n, 60, 12), x_digits)
  time <- ceiling(rexp(n, 1 / 20) * exp(-effect * (x > 65)))
  event <- rbinom(n, 1, 0.75)
  data.frame(time = time, event = event, x = x)
}

sim_block <- function(name, d, methods) {
  out <- list(name = name, n = nrow(d), data = as.list(d))
  for (pm in methods) {
    set.seed(1)
    cl <- sprintf("set.seed(1); maxstat.test(Surv(time, event) ~ x, data = d, smethod = 'LogRank', pmethod = '%s', minprop = 0.1, maxprop = 0.9%s)",
                  pm, if (pm == "condMC") ", B = 9999" else "")
    r <- capture(maxstat.test(Surv(time, event) ~ x, data = d, smethod = "LogRank", pmethod = pm,
                              minprop = 0.1, maxprop = 0.9, B = 9999))
    v <- r$value
    out$pmethods[[pm]] <- list(R_call = cl, statistic_M = unname(v$statistic), estimated_cutpoint = unname(v$estimate),
                               p_value = v$p.value, cuts = v$cuts, stats = v$stats, R_warnings = r$warnings)
  }
  out
}

res <- list(
  software = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                  maxstat = as.character(packageVersion("maxstat"))),
  hl_logspace = list(lung_age = hl_logspace(lung, "age"), lung_meal_cal = hl_logspace(lung_meal, "meal.cal")),
  simulated = list(
    sim150 = sim_block("sim150", simulate(150, 11, 0, 1.1), c("Lau92", "HL", "condMC")),
    sim2000 = sim_block("sim2000", simulate(2000, 12, 1, 0.2), c("Lau92", "condMC"))))
write_json(res, "maxstat_reference.json", auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")
