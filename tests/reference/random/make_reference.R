# Randomised R-parity suite for recur (issue 8): small, tied, near-tied, oddly
# scaled data sets and R survival's answers on them, written to
# random_reference.json next to this script. Run from this folder:
#   Rscript make_reference.R
# R 4.2.2, survival 3.5.3, jsonlite (Debian 12 packages). Tests never run R.
suppressMessages({library(survival); library(jsonlite)})
set.seed(20240808)
N_SETS <- 300

make_data <- function(i) {
  n <- sample(6:45, 1)
  g <- sample(c("a", "b", "c"), n, replace = TRUE, prob = runif(3, 0.1, 1))
  scale <- 10^runif(1, -3, 3)
  x <- signif(rnorm(n) * scale, 8)
  lp <- c(a = 0, b = runif(1, -1, 1), c = runif(1, -1, 1))[g] + rnorm(1, 0, 0.5) * x / scale
  time <- rexp(n, 1 / 10) * exp(-lp)
  grid <- sample(c(0, 1, 2, 5), 1)
  time <- if (grid > 0) ceiling(time / grid) * grid else signif(time, 4)
  event <- rbinom(n, 1, runif(1, 0.3, 0.95))
  if (runif(1) < 0.35) {  # near-ties: a few times nudged by 1e-11 .. 1e-6 relative
    for (k in seq_len(sample(1:3, 1))) {
      j <- sample(n, 2)
      time[j[1]] <- signif(time[j[2]] * (1 + sample(c(1e-11, 1e-9, 5e-9, 1e-8, 3e-8, 1e-7, 1e-6), 1)), 15)
    }
  }
  kind <- sample(c("plain", "no_events_level", "never_at_risk", "collinear", "separated"), 1,
                 prob = c(0.7, 0.1, 0.06, 0.07, 0.07))
  if (kind == "no_events_level") event[g == sample(unique(g), 1)] <- 0
  if (kind == "never_at_risk") {  # one level censored before the first event of the others
    lv <- sample(unique(g), 1)
    first <- min(c(time[g != lv & event == 1], Inf))
    if (is.finite(first)) { time[g == lv] <- signif(first * runif(sum(g == lv), 0.1, 0.9), 6); event[g == lv] <- 0 }
  }
  if (kind == "collinear") x <- signif((g == "b") * scale + rnorm(n, 0, scale * 10^runif(1, -12, -6)), 15)
  if (kind == "separated") {  # all events of the high-x half happen first
    o <- order(-x); time[o] <- sort(time); event[o[seq_len(n %/% 2)]] <- 1
  }
  if (sum(event) == 0) event[1] <- 1
  list(id = i, kind = kind, time = time, event = event, g = g, x = x)
}

source("../capture.R")  # capture(expr): value or error, and the warnings

cox_block <- function(d, ties) {
  r <- capture(coxph(Surv(time, event) ~ g + x, data = d, ties = ties))
  if (inherits(r$value, "failed")) return(list(error = unclass(r$value), warnings = r$warnings))
  f <- r$value
  b <- coef(f)
  se <- sqrt(diag(f$var))
  se[is.na(b)] <- NA
  list(R_call = sprintf("coxph(Surv(time, event) ~ g + x, ties = '%s')", ties),
       terms = names(b), coef = unname(b), se = unname(se), warnings = r$warnings,
       loglik = f$loglik, iter = f$iter, lr = 2 * diff(f$loglik), df = sum(!is.na(b)),
       score = unname(f$score), wald = unname(f$wald.test))
}

km_block <- function(d, ct) {
  f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
  times <- c(min(d$time) / 2, median(d$time), max(d$time))
  s <- summary(f, times = times, extend = TRUE)
  q <- quantile(f, 0.5)
  fg <- survfit(Surv(time, event) ~ g, data = d, conf.type = ct)
  qg <- quantile(fg, 0.5)
  list(R_calls = c(sprintf("survfit(Surv(time, event) ~ 1, conf.type = '%s')", ct),
                   "summary(fit, times = c(min(time) / 2, median(time), max(time)), extend = TRUE)",
                   "quantile(fit, 0.5); quantile(survfit(Surv(time, event) ~ g, conf.type = ...), 0.5)"),
       times = s$time, n_risk = s$n.risk, surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper,
       median = unname(c(q$quantile, q$lower, q$upper)),
       group_medians = lapply(seq_along(fg$strata), function(k)
         list(group = sub("g=", "", names(fg$strata)[k]),
              median = unname(c(qg$quantile[k], qg$lower[k], qg$upper[k])))))
}

logrank_block <- function(d) {
  r <- capture(survdiff(Surv(time, event) ~ g, data = d))
  if (inherits(r$value, "failed")) return(list(error = unclass(r$value)))
  list(chisq = r$value$chisq, df = sum(r$value$exp > 0) - 1, warnings = r$warnings)  # as print.survdiff
}

sets <- lapply(seq_len(N_SETS), function(i) {
  d <- make_data(i)
  frame <- data.frame(time = d$time, event = d$event, g = d$g, x = d$x)
  c(d, list(cox = list(efron = cox_block(frame, "efron"), breslow = cox_block(frame, "breslow")),
            km = list(log = km_block(frame, "log"), `log-log` = km_block(frame, "log-log")),
            logrank = if (length(unique(d$g)) > 1) logrank_block(frame) else NULL))
})
out <- list(generator = "tests/reference/random/make_reference.R", seed = 20240808,
            software = list(R = R.version.string, survival = as.character(packageVersion("survival"))),
            conventions = "null = R's NA; warnings = R's warning messages; error = R's stop() message",
            sets = sets)
write_json(out, "random_reference.json", auto_unbox = TRUE, digits = NA, na = "null")
