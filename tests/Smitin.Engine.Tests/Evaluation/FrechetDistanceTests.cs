using Smitin.Evaluation;

namespace Smitin.Tests.Evaluation;

public class FrechetDistanceTests
{
    [Fact]
    public void Diagonal_gaussians_give_the_closed_form()
    {
        Native.TorchRuntime.Ensure();
        // For diagonal covariances the distance is |Δμ|² + Σ (√a − √b)² (Dowson & Landau 1982).
        double[] m1 = [0, 1, 2], m2 = [1, 1, 0];
        double[,] s1 = { { 4, 0, 0 }, { 0, 1, 0 }, { 0, 0, 9 } }, s2 = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 4 } };
        double expected = 1 + 0 + 4 + (2 - 1) * (2 - 1) + 0 + (3 - 2) * (3 - 2);
        Assert.Equal(expected, FrechetDistance.Between(m1, s1, m2, s2), 9);
    }

    [Fact]
    public void A_set_is_at_distance_zero_from_itself_and_a_shift_adds_its_squared_length()
    {
        Native.TorchRuntime.Ensure();
        var rng = new Random(3);
        var a = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 5).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var shifted = a.Select(r => r.Select((v, j) => v + (j == 0 ? 3f : 0f)).ToArray()).ToArray();
        Assert.Equal(0, FrechetDistance.Between(a, a), 6);
        Assert.Equal(9, FrechetDistance.Between(a, shifted), 4);   // same covariance, mean moved by 3
    }

    [Fact]
    public void One_embedding_is_refused()
    {
        Assert.Contains("at least 2", Assert.Throws<SmitinException>(() => FrechetDistance.Statistics([[1f, 2f]])).Message);
    }
}
