namespace Smitin.Tests;

public class MedianTests
{
    [Fact]
    public void Median_is_numpys_the_middle_value_or_the_mean_of_the_middle_two()
    {
        Assert.Equal(0.4, Median.Of([0.9, 0.1, 0.4]));                            // numpy.median([0.9, 0.1, 0.4])
        Assert.Equal(0.3, Median.Of([0.9, 0.1, 0.4, 0.2]), 12);                   // numpy.median([0.9, 0.1, 0.4, 0.2])
        Assert.Equal(0.3, Median.Of(new[] { 0.9f, 0.1f, 0.4f, 0.2f }), 6);
        Assert.Equal(2.5, Median.OfSorted(new float[] { 1, 2, 3, 4 }));           // float pairs averaged in double
        Assert.Equal(float.MaxValue, Median.OfSorted(new[] { float.MaxValue, float.MaxValue }));  // no float overflow
        Assert.Throws<ArgumentException>(() => Median.Of(Array.Empty<double>()));
    }
}
