using Smitin.Audio;
using Smitin.Models.Melody;
using Smitin.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Smitin.Tests.Models.Melody;

/// <summary>
/// The chroma extractor against the melody fixture's reference (README tolerances: raw chroma atol 1e-4 × its absmax,
/// normalised chroma atol 1e-4, one-hot exact), for single melodies, the padded batch and a 48 kHz input.
/// </summary>
public class ChromaExtractorTests(MelodyFixture f, ITestOutputHelper output) : IClassFixture<MelodyFixture>
{
    ChromaExtractor Extractor => f.Model.Chroma;

    [Fact]
    public void SettingsComeFromPreprocessorConfig()
    {
        var c = Extractor.Config;
        Assert.Equal((32000, 16384, 4096, 12, 960000), (c.SamplingRate, c.NFft, c.HopLength, c.FeatureSize, c.MaxSamples));
        Assert.Equal([3, 2], c.StemIndices);
    }

    [Fact]
    public void FilterBankMatchesTheReference()
    {
        using var expected = f.Ref("chroma.filter_bank");
        TensorAssert.Close(expected, Extractor.FilterBank, atol: 1e-6, rtol: 1e-5, what: "chroma.filter_bank");
        Report("chroma.filter_bank", expected, Extractor.FilterBank);
    }

    [Theory]
    [InlineData("a", "chroma.a.waveform")]
    [InlineData("b", "chroma.b.waveform")]
    public void SingleMelodyChromaMatches(string name, string waveform)
    {
        using var scope = torch.NewDisposeScope();
        using var chroma = Extractor.Extract([f.Clip(waveform, 32000)]);
        AssertChroma($"chroma.{name}", chroma);
    }

    [Fact]
    public void BatchPaddingChangesTheShorterMelodyLikeTheReference()
    {
        using var scope = torch.NewDisposeScope();
        using var chroma = Extractor.Extract([f.Clip("chroma.a.waveform", 32000), f.Clip("chroma.b.waveform", 32000)]);
        AssertChroma("chroma.batch", chroma);
        // melody A alone has 24 frames; in the batch its 10 frames on the zero padding are one-hot C
        using var alone = Extractor.Extract([f.Clip("chroma.a.waveform", 32000)]);
        Assert.Equal(24, alone.Frames);
        Assert.Equal(36, chroma.Frames);
        Assert.Equal(10f, chroma.OneHot[0].narrow(0, 26, 10).select(1, 0).sum().item<float>());
    }

    [Fact]
    public void A48kHzMelodyIsResampledLikeTorchaudio()
    {
        using var scope = torch.NewDisposeScope();
        using var w48 = f.Ref("chroma.resample.waveform");                                   // (1, 72000) at 48 kHz
        var resampled = SincResampler.Resample(w48, 48000, 32000, lowpassFilterWidth: 24, rolloff: 0.945);
        using var expected = f.Ref("chroma.resample.waveform_32k");
        TensorAssert.Close(expected, resampled, atol: 1e-5, rtol: 1e-4, what: "chroma.resample.waveform_32k");
        Report("chroma.resample.waveform_32k", expected, resampled);

        using var chroma = Extractor.Extract([f.Clip("chroma.resample.waveform", 48000)]);
        AssertChroma("chroma.resample", chroma);
        using var fromTensor = Extractor.Extract([w48], 48000);                              // the tensor entry gives the same
        TensorAssert.Equal(chroma.OneHot, fromTensor.OneHot, "tensor vs clip entry");
    }

    [Fact]
    public void StereoIsAveragedAndSilenceIsOneHotC()
    {
        using var scope = torch.NewDisposeScope();
        using var a = f.Ref("chroma.a.waveform");                                            // (1, N)
        using var mono = Extractor.Extract([a], 32000);
        using var stereo = Extractor.Extract([torch.cat([a, a], 0)], 32000);                 // (2, N): same mono average
        TensorAssert.Equal(mono.OneHot, stereo.OneHot, "stereo melody");
        using var silence = Extractor.Extract([torch.zeros(1, 8000)], 32000);                // shorter than n_fft: padded first
        Assert.Equal(Extractor.FramesFor(8000), silence.Frames);
        Assert.Equal(silence.Frames, (int)silence.OneHot.select(2, 0).sum().item<float>());
    }

    [Fact]
    public void BadMelodiesAreNamedErrors()
    {
        var e = Assert.Throws<SmitinException>(() => Extractor.Extract(Array.Empty<AudioClip>()));
        Assert.Contains("at least one melody", e.Message);
        e = Assert.Throws<SmitinException>(() => Extractor.Extract([torch.zeros(1, 2, 3)], 32000));
        Assert.Contains("melody 1", e.Message);
        e = Assert.Throws<SmitinException>(() => Extractor.Extract([torch.full(100, float.NaN)], 32000));
        Assert.Contains("NaN", e.Message);
    }

    void AssertChroma(string key, ChromaFeatures chroma)
    {
        using var raw = f.Ref($"{key}.raw_chroma");
        using var norm = f.Ref($"{key}.norm_chroma");
        using var onehot = f.Ref($"{key}.input_features");
        double absmax = raw.abs().max().item<float>();
        TensorAssert.Close(raw, chroma.Raw, atol: 1e-4 * absmax, rtol: 0, what: $"{key}.raw_chroma");
        TensorAssert.Close(norm, chroma.Normalized, atol: 1e-4, rtol: 0, what: $"{key}.norm_chroma");
        TensorAssert.Equal(onehot, chroma.OneHot, $"{key}.input_features");
        Report($"{key}.raw_chroma (absmax {absmax:E3})", raw, chroma.Raw);
        Report($"{key}.norm_chroma", norm, chroma.Normalized);
    }

    void Report(string what, Tensor expected, Tensor actual)
    {
        using var d = (expected.to_type(ScalarType.Float64) - actual.to_type(ScalarType.Float64).cpu()).abs().max();
        output.WriteLine($"{what}: max |diff| {d.item<double>():E3}");
    }
}
