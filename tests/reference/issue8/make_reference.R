# R's answers for the hard cases of issue 8, one block per item, written to
# issue8_reference.json next to this script (run from this folder:
# Rscript make_reference.R; R 4.2.2, survival 3.5.3). Tests never run R.
suppressMessages({library(survival); library(jsonlite)})

source("../capture.R")  # capture(expr): value or error, and the warnings
cox_out <- function(call, data) {
  r <- capture(eval(parse(text = call)))
  f <- r$value
  b <- coef(f); se <- sqrt(diag(f$var)); se[is.na(b)] <- NA
  list(R_call = call, data = data, terms = names(b), coef = unname(b), se = unname(se),
       p = unname(summary(f)$coefficients[, "Pr(>|z|)"]), lr = 2 * diff(f$loglik),
       df = sum(!is.na(b)), warnings = r$warnings,
       cox_zph = list(R_call = "cox.zph(fit)  # transform 'km'; NA terms left out",
                      terms = rownames(cox.zph(f)$table), chisq = unname(cox.zph(f)$table[, "chisq"])))
}
out <- list()

# 1. near-tied times are one time (aeqSurv)
d1 <- data.frame(time = c(1, 1 + 1e-10, 2, 3, 4, 5), event = c(1, 1, 0, 1, 1, 0),
                 g = c("a", "b", "a", "b", "a", "b"), x = c(0.3, 1.4, -0.2, 0.9, 0.1, 1.1))
s <- summary(survfit(Surv(time, event) ~ 1, data = d1), times = 1)
sd <- survdiff(Surv(time, event) ~ g, data = d1)
out$near_ties <- list(data = d1, km = list(R_call = "summary(survfit(Surv(time, event) ~ 1), times = 1)",
                                           surv = s$surv, n_risk = s$n.risk),
                      logrank = list(R_call = "survdiff(Surv(time, event) ~ g)", chisq = sd$chisq),
                      cox = cox_out("coxph(Surv(time, event) ~ x, data = d1)", NULL))

# 2. a group never at risk at an event time: NA for that term, the rest estimated
d2 <- data.frame(time = 1:7, event = c(0, 0, 1, 1, 0, 1, 1), g = c("A", "A", "B", "B", "B", "B", "B"),
                 x = c(0.5, 1.2, -0.3, 0.8, 1.5, -1.1, 0.2))
out$never_at_risk <- cox_out("coxph(Surv(time, event) ~ g + x, data = d2)", d2)

# 3. a covariate on a tiny scale: huge but finite coefficient
lung <- read.csv("../../../../shared/reference/data/lung.csv")
out$small_scale <- cox_out("coxph(Surv(time, event) ~ I(age / 1000), data = lung)", NULL)

# 4. near-collinear columns: x2 aliased, dropped
set.seed(8)
d4 <- data.frame(time = round(rexp(30, 0.1), 1) + 0.1, event = rbinom(30, 1, 0.7), x1 = round(rnorm(30), 6))
d4$x2 <- d4$x1 + rnorm(30, 0, 1e-9)
out$collinear <- cox_out("coxph(Surv(time, event) ~ x1 + x2, data = d4)", d4)

# 5. log-log CI before the first time and after a censoring at S = 1
d5 <- data.frame(time = c(2, 3, 4, 5, 6, 7), event = c(0, 1, 0, 1, 1, 0))
s <- summary(survfit(Surv(time, event) ~ 1, data = d5, conf.type = "log-log"), times = c(1, 2.5, 3.5))
out$loglog_start <- list(R_call = "summary(survfit(Surv(time, event) ~ 1, conf.type = 'log-log'), times = c(1, 2.5, 3.5))",
                         data = d5, times = s$time, surv = s$surv, lower = s$lower, upper = s$upper)

# 6. median CI where the upper confidence curve is not monotone
d6 <- data.frame(time = c(16, 6, 4, 26, 16, 6, 3, 5, 11, 23, 19, 8, 11, 22, 2, 4, 8, 28, 4, 1),
                 event = c(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0))
q <- quantile(survfit(Surv(time, event) ~ 1, data = d6), 0.5)
out$median_ci <- list(R_call = "quantile(survfit(Surv(time, event) ~ 1), 0.5)  # conf.type 'log'",
                      data = d6, median = unname(c(q$quantile, q$lower, q$upper)))

# 7. log-rank with zero variance: R stops
d7 <- data.frame(time = c(5, 5, 5, 5), event = c(1, 1, 1, 1), g = c("a", "b", "a", "b"))
out$zero_variance <- list(R_call = "survdiff(Surv(time, event) ~ g)", data = d7,
                          error = unclass(capture(survdiff(Surv(time, event) ~ g, data = d7))$value))

write_json(out, "issue8_reference.json", auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE)
