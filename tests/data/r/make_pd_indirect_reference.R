library(lavaan); library(jsonlite)
d <- read.csv("tests/data/political_democracy.csv")
m <- '
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a*ind60
dem65 ~ c*ind60 + b*dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
ind := a*b
total := c + a*b
'
fit <- sem(m, data = d)
pe <- parameterEstimates(fit, standardized = TRUE)
def <- pe[pe$op == ":=", c("lhs", "est", "se", "std.all")]
out <- list(call = "lavaan::sem(model with ind := a*b, total := c + a*b, data = PoliticalDemocracy)",
            versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan"))),
            defined = def)
writeLines(toJSON(out, digits = I(15), auto_unbox = TRUE, pretty = TRUE), "tests/data/pd_indirect_reference.json")
