using Smitin.Evaluation;

namespace Smitin.Tests.Evaluation;

public class BinomialIntervalTests
{
    // Reference: statsmodels.stats.proportion.proportion_confint(k, n, alpha=0.05, method="wilson").
    [Theory]
    [InlineData(5, 10, 0.236593, 0.763407)]
    [InlineData(0, 10, 0.0, 0.277533)]
    [InlineData(10, 10, 0.722467, 1.0)]
    [InlineData(81, 263, 0.255289, 0.366210)]
    public void Wilson_matches_the_reference(int k, int n, double lo, double hi)
    {
        var (l, h) = BinomialInterval.Wilson(k, n);
        Assert.Equal(lo, l, 5);
        Assert.Equal(hi, h, 5);
    }

    [Fact]
    public void Bad_counts_are_refused_with_the_numbers()
    {
        Assert.Contains("n = 0", Assert.Throws<SmitinException>(() => BinomialInterval.Wilson(0, 0)).Message);
        Assert.Contains("11 successes of 10", Assert.Throws<SmitinException>(() => BinomialInterval.Wilson(11, 10)).Message);
    }
}
