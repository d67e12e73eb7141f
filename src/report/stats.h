// Statistics for comparing configs over seeds: Student's t distribution and
// the smallest difference between two configs that k seeds each can detect.
#pragma once

namespace ablate {

// Regularized incomplete beta function I_x(a, b), by Lentz's continued
// fraction (Numerical Recipes, section 6.4).
double incomplete_beta(double a, double b, double x);

// P(T <= t) for Student's t with `df` degrees of freedom.
double student_t_cdf(double t, double df);

// The t with P(T <= t) = p (0 < p < 1), by bisection on the CDF.
double student_t_quantile(double p, double df);

// Minimum detectable effect of a two-sided test at level `alpha` with power
// `power`, comparing the means of two configs over k seeds each when one
// seed's scores have standard deviation `sigma` (a two-sample t test; seeds
// paired across configs only make the real test stronger):
//   (t_{1-alpha/2, 2k-2} + t_{power, 2k-2}) * sigma * sqrt(2 / k)
// 0 when k < 2 (no test is possible).
double min_detectable_effect(double sigma, int k, double alpha = 0.05, double power = 0.8);

}  // namespace ablate
