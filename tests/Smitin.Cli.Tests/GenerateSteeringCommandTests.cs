using System.Text.Json;
using Smitin.IO;
using Smitin.Probing;
using Smitin.Steering;
using Smitin.Tests.Steering;
using Smitin.Tests.Support;

namespace Smitin.Tests.Cli;

/// <summary><c>smitin generate --steer/--monitor ... --trace-out</c> on the fixture, with probe sets saved for its identity.</summary>
public sealed class GenerateSteeringCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly SafeTensorsFile _ref;
    const string Prompt = "80s pop track with bassy drums and synth";

    public GenerateSteeringCommandTests()
    {
        Native.TorchRuntime.Ensure();
        _ref = Fixture.Reference();
    }

    public void Dispose()
    {
        _ref.Dispose();
        _dir.Dispose();
    }

    /// <summary>Hand-built probes re-labelled with the fixture's identity and saved as a probe-set file.</summary>
    string SaveProbes(string trait, int seed)
    {
        var identity = ProbeModelIdentity.Of(TinyModel.Shared);
        var p = HandBuiltProbes.Random(trait, identity.Layers, identity.Heads, identity.HeadDim, seed);
        var set = new ProbeSet(trait, identity, p.Provenance, p.Training, p.Direction, p.SoftWeightExponent, p.Tau, p.TauIsDefault,
            p.Weights, p.Bias, p.Accuracy, p.TrainAccuracy, p.Theta, p.Sigma, p.Omega, p.MonitorHeadIndices, null, null);
        string path = _dir.File(trait + ".probe");
        set.Save(path);
        return path;
    }

    /// <summary>Runs generate and asserts success, showing stderr when it fails.</summary>
    async Task<int> GenerateOk(string outName, params string[] extra)
    {
        var (code, error) = await CliHost.RunCapturingErrors(["generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "20", "--guidance", "3",
            "--text", Prompt, "--out", _dir.File(outName), "--codes-out", _dir.File(outName + ".json"), .. extra]);
        Assert.True(code == 0, error);
        return code;
    }

    Task<int> Generate(string outName, params string[] extra) =>
        CliHost.Run(["generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "20", "--guidance", "3",
            "--text", Prompt, "--out", _dir.File(outName), "--codes-out", _dir.File(outName + ".json"), .. extra]);

    [Fact]
    public async Task Zero_alpha_and_monitoring_keep_the_reference_codes_and_write_the_trace()
    {
        string drums = SaveProbes("drums", 1), bass = SaveProbes("bass", 2);
        using var expected = _ref.Read("gen.cfg3.audio_codes");                       // (1, B, K, F)
        Assert.Equal(0, await GenerateOk("a.wav", "--probes", drums, "--probes", bass + ":remove", "--alpha", "0", "--mode", "iti", "--top-k-heads", "3", "--trace-out", _dir.File("a.trace.json")));
        Assert.Equal(0, await GenerateOk("m.wav", "--probes", drums, "--trace-out", _dir.File("m.trace.json")));
        foreach (var name in new[] { "a.wav", "m.wav" })
        {
            using var codes = CodesJson.Read(_dir.File(name + ".json"));
            TensorAssert.Equal(expected[0].narrow(0, 0, 1), codes, $"{name} codes");
        }
        var steered = SteeringRecord.FromJson(File.ReadAllText(_dir.File("a.trace.json")));
        Assert.Equal(["drums", "bass"], steered.Plan.Select(p => p.Trait));
        Assert.Equal(("iti", "remove", 0.0), (steered.Plan[1].Mode, steered.Plan[1].Action, steered.Plan[1].Alpha));
        Assert.Equal(3, steered.Plan[1].TopKHeads);
        Assert.Equal(3, steered.Plan[1].HeadWeights.Active);
        Assert.Equal(20, steered.Trace.Steps);
        var watched = SteeringRecord.FromJson(File.ReadAllText(_dir.File("m.trace.json")));
        Assert.True(watched.MonitorOnly);
        Assert.Equal(steered.Trace.Traits[0].Samples[0].Confidence, watched.Trace.Traits[0].Samples[0].Confidence);
    }

    [Fact]
    public async Task A_real_shift_changes_the_codes_and_records_every_knob()
    {
        string drums = SaveProbes("drums", 3);
        Assert.Equal(0, await GenerateOk("s.wav", "--probes", drums, "--mode", "smitin", "--alpha", "30", "--every", "1", "--tau", "1",
            "--beta", "one", "--rows", "cond", "--soft-weight-exponent", "2", "--monitor-heads", "4", "--trace-out", _dir.File("s.json.trace")));
        using var expected = _ref.Read("gen.cfg3.audio_codes");
        using var codes = CodesJson.Read(_dir.File("s.wav.json"));
        Assert.False(expected[0].narrow(0, 0, 1).equal(codes).all().item<bool>(), "alpha 30 on every step should change the codes");
        using var doc = JsonDocument.Parse(File.ReadAllText(_dir.File("s.json.trace")));
        var plan = doc.RootElement.GetProperty("plan")[0];
        Assert.Equal(30, plan.GetProperty("alpha").GetDouble());
        Assert.Equal(1, plan.GetProperty("every").GetInt32());
        Assert.Equal(2, plan.GetProperty("soft_weight_exponent").GetDouble());
        Assert.Equal(4, plan.GetProperty("monitor_heads").GetInt32());
        Assert.Equal("cond", plan.GetProperty("rows").GetString());
        Assert.Equal("one", plan.GetProperty("beta").GetString());
        Assert.Equal("given", plan.GetProperty("tau_source").GetString());
        var sample = doc.RootElement.GetProperty("trace").GetProperty("traits")[0].GetProperty("samples")[0];
        Assert.Equal(20, sample.GetProperty("shifted").GetArrayLength());
    }

    [Fact]
    public async Task Bad_steering_input_fails_with_a_message()
    {
        string drums = SaveProbes("drums", 4);
        Assert.Equal(1, await Generate("x.wav", "--trace-out", _dir.File("t.json")));                          // nothing to trace
        Assert.Equal(1, await Generate("x.wav", "--direction", "foo"));                                         // a knob without probes
        Assert.Equal(1, await Generate("x.wav", "--alpha", "30"));
        var (code, error) = await CliHost.RunCapturingErrors(["generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "20",
            "--text", Prompt, "--out", _dir.File("x.wav"), "--every", "2"]);
        Assert.Equal(1, code);
        Assert.Contains("--every: only applies with --probes FILE", error);
        Assert.Equal(1, await Generate("x.wav", "--probes", _dir.File("missing.probe"), "--mode", "smitin"));
        Assert.Equal(1, await Generate("x.wav", "--probes", drums, "--mode", "loud"));
        Assert.Equal(1, await Generate("x.wav", "--probes", drums, "--mode", "smitin", "--every", "0"));
        Assert.Equal(1, await Generate("x.wav", "--probes", drums, "--mode", "smitin", "--direction", "mass-mean"));                 // set holds probe directions
        var other = HandBuiltProbes.Random("other", 2, 4, 8, 5);                                                  // another model's identity
        other.Save(_dir.File("other.probe"));
        Assert.Equal(1, await Generate("x.wav", "--probes", _dir.File("other.probe"), "--mode", "smitin"));
        Assert.False(File.Exists(_dir.File("x.wav")));
        Assert.False(File.Exists(_dir.File("t.json")));
    }

    [Fact]
    public async Task First_release_names_still_work_with_their_old_meaning_and_a_deprecation_message()
    {
        string drums = SaveProbes("drums", 5);
        var (code, error) = await CliHost.RunCapturingErrors(["generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "20",
            "--text", Prompt, "--out", _dir.File("old.wav"), "--steer", drums, "--alpha", "0", "--trace-out", _dir.File("old.trace.json")]);
        Assert.True(code == 0, error);
        Assert.Contains("--steer is deprecated, use --probes", error);
        var steered = SteeringRecord.FromJson(File.ReadAllText(_dir.File("old.trace.json")));
        Assert.False(steered.MonitorOnly);                                     // --steer FILE steered (SMITIN), as before
        Assert.Equal("smitin", steered.Plan[0].Mode);

        (code, error) = await CliHost.RunCapturingErrors(["generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "20",
            "--text", Prompt, "--out", _dir.File("old-m.wav"), "--monitor", drums, "--trace-out", _dir.File("old-m.trace.json")]);
        Assert.True(code == 0, error);
        Assert.Contains("--monitor is deprecated, use --probes", error);
        Assert.True(SteeringRecord.FromJson(File.ReadAllText(_dir.File("old-m.trace.json"))).MonitorOnly);
    }
}
