# Reference for an extra numeric column (not in the schema) used as a cutoff and as a Cox term.
# Run: Rscript make_reference.R  (writes cohort.csv and reference.json; the tests never need R)
library(survival)
set.seed(6)
n <- 36
d <- data.frame(patient_id = sprintf("X%02d", 1:n),
                tumour_size_cm = round(runif(n, 0.8, 6.5), 1),
                os_months = round(rexp(n, 1 / 30), 1) + 0.5)
d$os_event <- rbinom(n, 1, 0.7)
write.csv(d, "cohort.csv", row.names = FALSE, quote = FALSE)
d$big <- as.integer(d$tumour_size_cm >= 3)
f1 <- coxph(Surv(os_months, os_event) ~ big, data = d, ties = "efron")
f2 <- coxph(Surv(os_months, os_event) ~ tumour_size_cm, data = d, ties = "efron")
lr <- survdiff(Surv(os_months, os_event) ~ big, data = d)
num <- function(x) unname(as.numeric(x))
out <- sprintf('{"n_big": %d, "n_small": %d,
 "cut_coef": %.15g, "cut_se": %.15g, "cut_p": %.15g,
 "size_coef": %.15g, "size_se": %.15g, "size_p": %.15g,
 "logrank_chisq": %.15g}',
  sum(d$big == 1), sum(d$big == 0),
  num(coef(f1)), num(sqrt(diag(vcov(f1)))), num(summary(f1)$coefficients[, 5]),
  num(coef(f2)), num(sqrt(diag(vcov(f2)))), num(summary(f2)$coefficients[, 5]),
  num(lr$chisq))
writeLines(out, "reference.json")
