# Reference p-values for recur's Table 1 (tests/unit/test_table_one.py).
# Run from this folder: Rscript table_one.R   (writes table_one.json)
# The calls are those gtsummary's add_p() makes by default for tbl_summary(by=):
# chisq.test(correct = FALSE) when every expected count is >= 5, else fisher.test;
# wilcox.test with its defaults (exact = NULL, correct = TRUE) for 2 groups;
# kruskal.test for more. NA rows are dropped by each call.
d <- read.csv("data.csv", stringsAsFactors = FALSE, na.strings = "")
p <- list(
  sex_grp2_chisq      = chisq.test(table(d$sex, d$grp2), correct = FALSE)$p.value,
  sex_grp3_chisq      = chisq.test(table(d$sex, d$grp3), correct = FALSE)$p.value,
  sex_grp3_expected_min = min(suppressWarnings(chisq.test(table(d$sex, d$grp3)))$expected),
  stage_grp2_fisher   = fisher.test(table(d$stage, d$grp2))$p.value,
  stage_grp3_fisher   = fisher.test(table(d$stage, d$grp3))$p.value,
  ecog_grp2_fisher    = fisher.test(table(d$ecog, d$grp2))$p.value,
  ecog_grp3_fisher    = fisher.test(table(d$ecog, d$grp3))$p.value,
  sex_grp2_2x2_fisher = fisher.test(table(d$sex, d$grp2))$p.value,
  age_grp2_wilcox     = wilcox.test(age ~ grp2, data = d)$p.value,  # exact: 15 + 15 values, no ties
  gtv_grp2_wilcox     = suppressWarnings(wilcox.test(gtv_cc ~ grp2, data = d))$p.value,  # ties: normal approx
  dose_grp2_wilcox    = suppressWarnings(wilcox.test(dose_gy ~ grp2, data = d))$p.value,
  age_grp3_kruskal    = kruskal.test(age ~ factor(grp3), data = d)$p.value,
  dose_grp3_kruskal   = kruskal.test(dose_gy ~ factor(grp3), data = d)$p.value
)
body <- paste(sprintf('  "%s": %.17g', names(p), unlist(p)), collapse = ",\n")
writeLines(c("{", sprintf('  "R": "%s",', R.version.string), body, "}"), "table_one.json")
