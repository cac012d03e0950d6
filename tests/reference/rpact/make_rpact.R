# Sample size and power for two survival curves: rpact's answers on the
# designs recur.plan must reproduce, written to rpact_reference.json next to
# this script. Run from this folder:
#   Rscript make_rpact.R
# R 4.2.2, rpact 3.3.4, jsonlite (Debian 12 packages: apt-get install r-cran-rpact).
# Tests never run R.
#
# How recur's design maps onto rpact (arm 1 = experimental, arm 2 = control):
#   survival_1 / survival_2 at landmark_months -> pi1 = 1 - survival_1, pi2 = 1 - survival_2, eventTime
#   (rpact's pi is the probability of the EVENT by eventTime, not of surviving)
#   median_1 / median_2 -> median1 / median2; hazard_ratio -> hazardRatio (lambda1 / lambda2)
#   alpha, power, sided -> alpha, beta = 1 - power, sided (fixed design, no group-sequential stages)
#   method -> typeOfComputation "Schoenfeld" / "Freedman" / "HsiehFreedman"
#   allocation_ratio -> allocationRatioPlanned (n1 / n2)
#   accrual_months, follow_up_months -> accrualTime = c(0, a), followUpTime
#   accrual_per_month -> accrualIntensity (absolute): patients = rate * a, follow-up solved
#   dropout_1 / dropout_2 by dropout_months -> dropoutRate1 / dropoutRate2, dropoutTime
#   power for given patients (and events) -> getPowerSurvival(maxNumberOfSubjects, maxNumberOfEvents)
suppressMessages({library(rpact); library(jsonlite)})
source("../capture.R")  # capture(expr): value or error, and the warnings

# The lines rpact prints as "  Label : value", as text: the digits a user reads.
printed <- function(x) {
  lines <- capture.output(print(x))
  keep <- grepl(" : ", lines, fixed = TRUE)
  parts <- strsplit(sub("^\\s+", "", lines[keep]), "\\s+:\\s+")
  values <- lapply(parts, function(p) trimws(p[2]))
  names(values) <- vapply(parts, `[`, "", 1)
  values
}

rpact_args <- function(d) {
  a <- list(alpha = d$alpha, sided = d$sided, typeOfComputation = d$typeOfComputation,
            accrualTime = c(0, d$accrual_months), allocationRatioPlanned = d$allocation_ratio,
            dropoutRate1 = d$dropout_1, dropoutRate2 = d$dropout_2, dropoutTime = d$dropout_months)
  if (!is.null(d$survival_1)) a$pi1 <- 1 - d$survival_1
  if (!is.null(d$survival_2)) a$pi2 <- 1 - d$survival_2
  if (!is.null(d$survival_1) || !is.null(d$survival_2)) a$eventTime <- d$landmark_months
  if (!is.null(d$median_1)) a$median1 <- d$median_1
  if (!is.null(d$median_2)) a$median2 <- d$median_2
  if (!is.null(d$hazard_ratio)) a$hazardRatio <- d$hazard_ratio
  a
}

TYPE <- c(schoenfeld = "Schoenfeld", freedman = "Freedman", hsieh_freedman = "HsiehFreedman")

run <- function(fun, args, fail_ok = FALSE) {
  call <- as.call(c(as.name(fun), args))
  r <- capture(eval(call))
  if (inherits(r$value, "failed") && !fail_ok) stop(fun, " failed: ", r$value, "\n", paste(deparse(call), collapse = " "))
  list(call = paste(deparse(call, width.cutoff = 500L), collapse = " "), value = r$value, warnings = r$warnings)
}

sample_size_case <- function(name, note, recur) {
  d <- modifyList(list(alpha = 0.05, power = 0.8, sided = 2, method = "schoenfeld", allocation_ratio = 1,
                       accrual_months = 24, follow_up_months = 12, dropout_1 = 0, dropout_2 = 0,
                       dropout_months = 12, landmark_months = 12), recur)
  d$typeOfComputation <- TYPE[[d$method]]
  a <- rpact_args(d)
  a$beta <- 1 - d$power
  if (is.null(d$accrual_per_month)) {
    a$followUpTime <- d$follow_up_months
  } else {
    a$accrualIntensity <- d$accrual_per_month
    a$accrualIntensityType <- "absolute"
  }
  r <- run("getSampleSizeSurvival", a, fail_ok = !is.null(recur$accrual_per_month))
  x <- r$value
  if (inherits(x, "failed"))
    return(list(name = name, kind = "sample_size_error", note = note, recur = recur, R_call = r$call,
                R_error = unclass(x)))
  list(name = name, kind = "sample_size", note = note, recur = recur, R_call = r$call, R_warnings = r$warnings,
       events = x$eventsFixed, patients = x$nFixed, patients_1 = x$nFixed1, patients_2 = x$nFixed2,
       hazard_ratio = x$hazardRatio, lambda_1 = x$lambda1, lambda_2 = x$lambda2,
       median_1 = x$median1, median_2 = x$median2, event_probability = x$omega,
       analysis_months = x$analysisTime[1, 1], follow_up_months = x$followUpTime,
       accrual_per_month = x$accrualIntensity, printed = printed(x))
}

power_case <- function(name, note, recur, patients, events = NULL) {
  d <- modifyList(list(alpha = 0.05, power = 0.8, sided = 2, method = "schoenfeld", allocation_ratio = 1,
                       accrual_months = 24, follow_up_months = 12, dropout_1 = 0, dropout_2 = 0,
                       dropout_months = 12, landmark_months = 12), recur)
  d$typeOfComputation <- TYPE[[d$method]]
  a <- rpact_args(d)
  events_note <- "given"
  if (is.null(events)) {
    # The events expected by the end of follow-up, from rpact's own event probability.
    plan <- do.call(getSampleSizeSurvival, c(a, list(followUpTime = d$follow_up_months, beta = 0.2)))
    events <- patients * plan$omega
    events_note <- "patients x getSampleSizeSurvival(...)$omega at accrual + follow-up"
  }
  a$maxNumberOfSubjects <- patients
  a$maxNumberOfEvents <- events
  if (d$sided == 1) a$directionUpper <- !is.null(recur$hazard_ratio) && recur$hazard_ratio > 1
  r <- run("getPowerSurvival", a)
  x <- r$value
  list(name = name, kind = "power", note = note, recur = recur, patients = patients, events = events,
       events_source = events_note, R_call = r$call, R_warnings = r$warnings,
       power = x$overallReject, hazard_ratio = x$hazardRatio, analysis_months = x$analysisTime[1, 1],
       follow_up_months = x$followUpTime, printed = printed(x))
}

cases <- list(
  sample_size_case("trial_70_vs_60_schoenfeld",
    "The ESCC salvage trial: 1-year OS 70% vs 60%, two-sided alpha 0.05, power 0.80; 24 months accrual, 12 follow-up",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12)),
  sample_size_case("trial_70_vs_60_freedman", "The trial's rates by Freedman's formula",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12, method = "freedman")),
  sample_size_case("trial_70_vs_60_hsieh_freedman_allocation_2",
    "The trial's rates by Hsieh's form of Freedman's formula, 2:1 allocation (it equals Freedman's at 1:1)",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12, method = "hsieh_freedman",
         allocation_ratio = 2)),
  sample_size_case("trial_70_vs_60_dropout", "The trial with 5% (experimental) and 8% (control) lost per year",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12, dropout_1 = 0.05, dropout_2 = 0.08)),
  sample_size_case("medians_allocation_2_schoenfeld", "Medians 30 vs 20 months, 2:1 allocation, 18 + 24 months",
    list(median_1 = 30, median_2 = 20, allocation_ratio = 2, accrual_months = 18, follow_up_months = 24)),
  sample_size_case("medians_allocation_2_freedman_dropout",
    "Medians 30 vs 20 months, 2:1, Freedman, drop-out 10% / 5% by 24 months, power 0.9",
    list(median_1 = 30, median_2 = 20, allocation_ratio = 2, method = "freedman", power = 0.9,
         accrual_months = 30, follow_up_months = 18, dropout_1 = 0.1, dropout_2 = 0.05, dropout_months = 24)),
  sample_size_case("hazard_ratio_one_sided",
    "HR 0.7 with control 2-year survival 50%, one-sided alpha 0.025, power 0.9, 3:2 allocation",
    list(hazard_ratio = 0.7, survival_2 = 0.5, landmark_months = 24, sided = 1, alpha = 0.025, power = 0.9,
         allocation_ratio = 1.5, accrual_months = 36, follow_up_months = 24)),
  sample_size_case("harmful_arm_3y_rates", "3-year rates 40% vs 50% (experimental worse: HR > 1), alpha 0.1",
    list(survival_1 = 0.4, survival_2 = 0.5, landmark_months = 36, alpha = 0.1,
         accrual_months = 48, follow_up_months = 36)),
  sample_size_case("trial_accrual_rate_follow_up_solved",
    "The trial at 15 patients a month for 36 months (540 patients): the follow-up needed is solved",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12, accrual_months = 36, accrual_per_month = 15)),
  sample_size_case("slow_accrual_rate_dropout",
    "1.5 patients a month for 60 months (90 patients), medians 36 vs 18 months, drop-out 5% a year",
    list(median_1 = 36, median_2 = 18, accrual_months = 60, accrual_per_month = 1.5,
         dropout_1 = 0.05, dropout_2 = 0.05)),
  sample_size_case("too_few_patients_error",
    "0.8 patients a month for 60 months (48 patients) cannot give the 65.3 events needed: rpact stops",
    list(median_1 = 36, median_2 = 18, accrual_months = 60, accrual_per_month = 0.8)),
  power_case("trial_power_300_patients_150_events", "The trial's rates with 300 patients and 150 events",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12), patients = 300, events = 150),
  power_case("trial_power_200_patients_at_36_months",
    "The trial's rates with 200 patients over 24 months, analysed 12 months after accrual",
    list(survival_1 = 0.7, survival_2 = 0.6, landmark_months = 12), patients = 200),
  power_case("power_freedman_allocation_2_dropout", "Medians 30 vs 20, 2:1, Freedman, drop-out, 400 patients",
    list(median_1 = 30, median_2 = 20, allocation_ratio = 2, method = "freedman", accrual_months = 30,
         follow_up_months = 18, dropout_1 = 0.1, dropout_2 = 0.05, dropout_months = 24), patients = 400),
  power_case("power_one_sided_hazard_ratio", "HR 0.7, control 2-year survival 50%, one-sided alpha 0.025",
    list(hazard_ratio = 0.7, survival_2 = 0.5, landmark_months = 24, sided = 1, alpha = 0.025,
         accrual_months = 36, follow_up_months = 24), patients = 350, events = 180)
)

out <- list(generator = "tests/reference/rpact/make_rpact.R",
            software = list(R = R.version.string, rpact = as.character(packageVersion("rpact"))),
            conventions = paste("Times in months. Arm 1 experimental, arm 2 control. events / patients are rpact's",
                                "unrounded eventsFixed / nFixed (it does not round a fixed design); printed = the",
                                "lines print() shows, as text."),
            cases = cases)
write_json(out, "rpact_reference.json", auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null")
