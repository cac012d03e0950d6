# capture(expr): the value of expr (or its error, classed "failed") and every
# warning it gave, for the reference scripts that store R's answers with R's warnings.
capture <- function(expr) {
  warns <- character(0)
  value <- tryCatch(withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")}),
    error = function(e) structure(conditionMessage(e), class = "failed"))
  list(value = value, warnings = warns)
}
