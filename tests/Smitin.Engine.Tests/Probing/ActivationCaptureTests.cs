using Smitin.Audio;
using Smitin.Data;
using Smitin.IO;
using Smitin.Models;
using Smitin.Probing;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Probing;

/// <summary>The fixture model loaded once for the probing tests that need it.</summary>
public sealed class FixtureModel : IDisposable
{
    public MusicGen Model { get; }
    public FixtureModel()
    {
        Native.TorchRuntime.Ensure();
        Model = MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { Log = _ => { } });
    }
    public void Dispose() => Model.Dispose();
}

public sealed class ActivationCaptureTests(FixtureModel fixture) : IClassFixture<FixtureModel>, IDisposable
{
    readonly TempDir _dir = new();
    readonly SafeTensorsFile _ref = Fixture.Reference();
    MusicGen Model => fixture.Model;

    public void Dispose()
    {
        _ref.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// The reference's lm.* run is text-conditioned: feed its codes and cross-attention memory through the capture path
    /// and compare with the per-head self-attention outputs it recorded, at the last position (tolerance from the
    /// fixture README: hidden states atol 1e-4 + rtol 1e-4).
    /// </summary>
    [Fact]
    public void CapturedHeadsEqualTheReferenceAtTheLastPosition()
    {
        using var scope = torch.NewDisposeScope();
        var capture = new ActivationCapture(Model, CaptureOptions.Uncached);
        var z = capture.CaptureCodes(_ref.Read("lm.codes"), _ref.Read("lm.encoder_hidden_states"), _ref.Read("lm.text_attention_mask"));
        Assert.Equal(new long[] { 2, 2, 4, 8 }, z.shape);                          // (B, L, H, Dh)
        for (int l = 0; l < 2; l++)
        {
            var heads = _ref.Read($"lm.layer{l}.self_attn_heads");                  // (B, T, H, Dh)
            var last = heads.select(1, heads.shape[1] - 1);                          // (B, H, Dh)
            TensorAssert.Close(last, z.select(1, l), 1e-4, 1e-4, $"layer {l} heads at the last position");
        }
        // the pattern fed is the reference's input ids: the last position is column 15 of lm.input_ids
        Assert.Equal(16, _ref.Info("lm.input_ids").Shape[2]);
    }

    /// <summary>Unconditional capture (no memory) equals the reference's unconditional CFG rows: all-zero memory, all-zero mask.</summary>
    [Fact]
    public void UnconditionalCaptureEqualsZeroMemoryWithZeroMask()
    {
        using var scope = torch.NewDisposeScope();
        var capture = new ActivationCapture(Model, CaptureOptions.Uncached);
        var codes = _ref.Read("lm.codes");
        var none = capture.CaptureCodes(codes);
        var zeros = capture.CaptureCodes(codes, torch.zeros(2, 25, 32), torch.zeros(new long[] { 2, 25 }, ScalarType.Int64));
        TensorAssert.Close(zeros, none, 1e-6, 1e-6, "no memory vs zero memory");
        var text = capture.CaptureCodes(codes, _ref.Read("lm.encoder_hidden_states"), _ref.Read("lm.text_attention_mask"));
        Assert.True((text - none).abs().max().item<float>() > 1e-3, "text conditioning should change the heads of layer 1");
    }

    [Fact]
    public void SegmentsCaptureTheSameBatchedOrAloneAndFromTheCache()
    {
        var segments = Enumerable.Range(0, 5).Select(i => new Segment(
            AudioClip.Mono(Enumerable.Range(0, 16000).Select(t => (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 90 * i) * t / 32000.0))).ToArray(), 32000),
            i % 2 == 0, $"t{i}", 0, "sine")).ToList();
        var alone = new ActivationCapture(Model, CaptureOptions.Uncached with { BatchSize = 1 }).Capture(segments);
        var cached = new CaptureOptions { BatchSize = 3, CodesCache = new CodesCache(_dir["codes"]), ActivationCache = new ActivationCache(_dir["z"]) };
        var reports = new List<ProbeProgress>();
        var batched = new ActivationCapture(Model, cached).Capture(segments, new SyncProgress(reports.Add), expectedCount: 5);
        Assert.Equal(segments.Select(s => s.HasTrait), batched.Labels);
        Assert.Equal(5, batched.Count);
        Assert.Equal((2, 4, 8), (batched.Layers, batched.Heads, batched.HeadDim));
        for (int i = 0; i < alone.Values.Length; i++) Assert.Equal(alone.Values[i], batched.Values[i], 4);
        Assert.Equal(new[] { 3, 5 }, reports.Select(r => r.Done));
        Assert.Equal(0, cached.ActivationCache!.Hits);
        Assert.Equal(5, Directory.GetFiles(_dir["codes"], "*.codes", SearchOption.AllDirectories).Length);
        Assert.Equal(5, Directory.GetFiles(_dir["z"], "*.z", SearchOption.AllDirectories).Length);

        var again = new ActivationCapture(Model, cached).Capture(segments);
        Assert.Equal(5, cached.ActivationCache.Hits);
        Assert.Equal(batched.Values, again.Values);                                  // bit-identical from the cache
        var different = segments.Select(s => s with { Audio = AudioClip.Mono(s.Audio.Samples[0].Select(v => v * 0.5f).ToArray(), 32000) }).ToList();
        new ActivationCapture(Model, cached).Capture(different);
        Assert.Equal(5, cached.ActivationCache.Hits);                                // changed audio is a different key
    }

    [Fact]
    public void TooLongOrMalformedCodesAreRefused()
    {
        var capture = new ActivationCapture(Model, CaptureOptions.Uncached);
        var e = Assert.Throws<SmitinException>(() => capture.CaptureCodes(torch.zeros(new long[] { 1, 4, 600 }, ScalarType.Int64)));
        Assert.Contains("max_position_embeddings", e.Message);
        e = Assert.Throws<SmitinException>(() => capture.CaptureCodes(torch.zeros(new long[] { 1, 3, 10 }, ScalarType.Int64)));
        Assert.Contains("expected (B, 4, frames)", e.Message);
    }

    [Fact]
    public void CaptureAndFittingStopWhenCancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var segments = Enumerable.Range(0, 3).Select(i => new Segment(AudioClip.Silence(1, 16000, 32000), i == 0, $"t{i}", 0, "silence"));
        Assert.ThrowsAny<OperationCanceledException>(() => new ActivationCapture(Model, CaptureOptions.Uncached).Capture(segments, cancellationToken: cts.Token));
        var set = ProbeSetTests.Planted(40, 2);
        Assert.ThrowsAny<OperationCanceledException>(() => ProbeFitter.Fit(set, set, cancellationToken: cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => ProbeFitter.Fit(set, set, new ProbeTrainingOptions { Solver = ProbeSolver.Newton }, cancellationToken: cts.Token));
    }

    /// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    sealed class SyncProgress(Action<ProbeProgress> report) : IProgress<ProbeProgress>
    {
        public void Report(ProbeProgress value) => report(value);
    }
}
