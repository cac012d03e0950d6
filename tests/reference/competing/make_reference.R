# Extra cmprsk::cuminc references for recur's competing-risks code (issue 11):
# times tied within and between causes, three and four groups, a group without
# competing events, curves ending in an event. Written to competing_reference.json
# next to this script (Gray's test also with rho = 1). Run from this folder:  Rscript make_reference.R
# R 4.2.2, cmprsk 2.2.11, jsonlite (Debian 12 packages). Tests never run R.
suppressMessages({library(cmprsk); library(jsonlite)})
set.seed(20261128)

make_data <- function(id, n, n_groups, grid, p_cens, p_event) {
  g <- sample(seq_len(n_groups), n, replace = TRUE)
  time <- ceiling(rexp(n, 1 / 20) * (1 + 0.3 * g) / grid) * grid
  status <- sample(0:2, n, replace = TRUE, prob = c(p_cens, p_event, 1 - p_cens - p_event))
  list(id = id, time = time, status = status, group = g)
}

sets <- list(
  make_data("ties_3_groups", 60, 3, 5, 0.3, 0.4),
  make_data("heavy_ties_4_groups", 120, 4, 10, 0.2, 0.4),
  make_data("fine_grid_2_groups", 200, 2, 0.5, 0.35, 0.35),
  make_data("small_3_groups", 18, 3, 2, 0.2, 0.5)
)
sets[[4]]$status[sets[[4]]$group == 2 & sets[[4]]$status == 2] <- 0  # group 2: no competing event
last <- which.max(sets[[1]]$time); sets[[1]]$status[last] <- 1        # a curve ending in an event

block <- function(d) {
  fit <- cuminc(ftime = d$time, fstatus = d$status, group = d$group, cencode = 0)
  times <- sort(unique(c(as.numeric(quantile(d$time, c(0.25, 0.5, 0.9))), max(d$time) + 1)))
  tp <- timepoints(fit, times)
  curves <- lapply(names(fit)[names(fit) != "Tests"], function(nm) {
    parts <- strsplit(nm, " ")[[1]]
    list(curve = nm, group = parts[1], cause = parts[2],
         at_times = list(time = times, cif = unname(tp$est[nm, ]), variance = unname(tp$var[nm, ])),
         step_function = list(time = fit[[nm]]$time, cif = fit[[nm]]$est, variance = fit[[nm]]$var))
  })
  tests <- fit$Tests
  tests1 <- cuminc(ftime = d$time, fstatus = d$status, group = d$group, rho = 1, cencode = 0)$Tests
  list(id = d$id, data = list(time = d$time, status = d$status, group = d$group),
       R_call = "cuminc(ftime = time, fstatus = status, group = group, cencode = 0)",
       R_timepoints_call = "timepoints(fit, times)", times = times, curves = curves,
       gray_test = lapply(rownames(tests), function(cs) list(cause = cs, statistic = tests[cs, "stat"],
                                                             p = tests[cs, "pv"], df = tests[cs, "df"])),
       gray_test_rho1 = lapply(rownames(tests1), function(cs) list(cause = cs, statistic = tests1[cs, "stat"],
                                                                   p = tests1[cs, "pv"], df = tests1[cs, "df"])))
}

out <- list(software = list(R = R.version.string, cmprsk = as.character(packageVersion("cmprsk"))),
            generated_by = "tests/reference/competing/make_reference.R", sets = lapply(sets, block))
write_json(out, "competing_reference.json", auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null")
