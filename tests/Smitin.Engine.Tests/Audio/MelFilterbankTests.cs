using Smitin.Audio;

namespace Smitin.Tests.Audio;

public class MelFilterbankTests
{
    [Fact]
    public void One_band_is_a_triangle_between_its_neighbouring_mel_points()
    {
        // 5 bins at 0, 2000, 4000, 6000, 8000 Hz; one HTK mel band over [0, 8000] Hz peaks at the mel midpoint.
        var fb = MelFilterbank.Create(5, 0, 8000, 1, 16000);
        double centre = 700 * (Math.Pow(10, 2595 * Math.Log10(1 + 8000 / 700.0) / 2 / 2595) - 1); // ≈ 1768 Hz
        Assert.InRange(centre, 1760, 1780);
        var expected = new[] { 0.0, (8000 - 2000) / (8000 - centre), (8000 - 4000) / (8000 - centre), (8000 - 6000) / (8000 - centre), 0.0 };
        for (int k = 0; k < 5; k++) Assert.Equal(expected[k], fb[k], 5);
    }

    [Fact]
    public void Default_judge_bank_covers_every_band_and_peaks_at_most_one()
    {
        var fb = MelFilterbank.Create(257, 0, 8000, 64, 16000); // n_fft 512 at 16 kHz
        for (int m = 0; m < 64; m++)
        {
            var column = Enumerable.Range(0, 257).Select(k => fb[k * 64 + m]).ToArray();
            Assert.True(column.Max() > 0 && column.Max() <= 1, $"band {m}: max {column.Max()}");
        }
        // Band centres rise monotonically.
        var centres = MelFilterbank.CentresHz(0, 8000, 64);
        Assert.True(centres.Zip(centres.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public void Too_many_mels_for_the_fft_is_a_named_error()
    {
        var e = Assert.Throws<SmitinException>(() => MelFilterbank.Create(65, 0, 8000, 128, 16000));
        Assert.Contains("covers no FFT bin", e.Message);
        Assert.Contains("fewer mels than 128", e.Message);
        Assert.Contains("f_max", Assert.Throws<SmitinException>(() => MelFilterbank.Create(257, 0, 9000, 64, 16000)).Message);
    }
}
