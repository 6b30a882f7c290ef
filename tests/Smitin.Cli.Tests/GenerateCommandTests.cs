using System.Text.Json;
using Smitin.Audio;
using Smitin.IO;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Cli;

/// <summary>
/// <c>smitin generate</c> end to end on the fixture (tokenizer, T5, decoder, EnCodec through <c>MusicGen.Load</c>):
/// greedy text-to-music and continuation reproduce the reference's codes and audio.
/// </summary>
public sealed class GenerateCommandTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly SafeTensorsFile _ref;

    public GenerateCommandTests()
    {
        Native.TorchRuntime.Ensure();
        _ref = Fixture.Reference();
    }

    public void Dispose()
    {
        _ref.Dispose();
        _dir.Dispose();
    }

    static string[] Prompts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Fixture.Model(), "reference.json")));
        return doc.RootElement.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }

    Task<int> Generate(string[] texts, string outName, params string[] extra)
    {
        var args = new List<string> { "generate", "--model", Fixture.Model(), "--greedy", "--max-new-tokens", "20", "--out", _dir.File(outName) };
        foreach (var t in texts) args.AddRange(["--text", t]);
        args.AddRange(extra);
        return CliHost.Run([.. args]);
    }

    [Fact]
    public async Task Ctrl_C_cancels_the_generation_says_so_and_exits_130_without_a_partial_file()
    {
        // Ctrl+C = System.CommandLine cancelling the action's token. 60 s on the fixture is 10 windows: seconds of work.
        string output = _dir["cancelled.wav"];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, error) = await CliHost.RunCapturingErrors(cts.Token, "generate", "--model", Fixture.Model(), "--text", "drums",
            "--duration", "60", "--seed", "1", "--out", output);
        Assert.True(cts.IsCancellationRequested);
        Assert.Equal(130, code);
        Assert.Contains("smitin: cancelled", error);
        Assert.False(File.Exists(output), "a cancelled generation wrote its WAV");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the command ended {clock.Elapsed} after its start");
    }

    [Fact]
    public async Task Text_to_music_reproduces_the_reference_for_a_batch_and_for_each_prompt_alone()
    {
        var prompts = Prompts()[..2];
        using var expectedCodes = _ref.Read("gen.cfg3.audio_codes");              // (1, B, K, F)
        using var expectedAudio = _ref.Read("gen.cfg3.audio_values");             // (B, 1, T)

        Assert.Equal(0, await Generate(prompts, "batch.wav", "--guidance", "3", "--codes-out", _dir.File("batch.json")));
        using (var codes = CodesJson.Read(_dir.File("batch.json")))
            TensorAssert.Equal(expectedCodes[0], codes, "generate codes (batch)");
        for (int b = 0; b < prompts.Length; b++)
        {
            var clip = AudioClip.Load(_dir.File(b == 0 ? "batch.wav" : $"batch-{b}.wav"));
            using var got = clip.ToTensor();                                        // (C, T)
            TensorAssert.Close(expectedAudio[b], got, what: $"generate audio item {b}");
        }

        for (int b = 0; b < prompts.Length; b++)
        {
            Assert.Equal(0, await Generate([prompts[b]], $"alone{b}.wav", "--guidance", "3", "--codes-out", _dir.File($"alone{b}.json")));
            using var codes = CodesJson.Read(_dir.File($"alone{b}.json"));
            TensorAssert.Equal(expectedCodes[0].narrow(0, b, 1), codes, $"generate codes (prompt {b} alone)");
            Assert.False(File.Exists(_dir.File($"alone{b}-1.wav")));
        }
    }

    [Fact]
    public async Task Text_to_music_without_guidance_reproduces_the_reference()
    {
        // --guidance 1 disables classifier-free guidance (README behaviour 4: 1.0 and None are identical)
        Assert.Equal(0, await Generate(Prompts()[..2], "nocfg.wav", "--guidance", "1", "--codes-out", _dir.File("nocfg.json")));
        using var codes = CodesJson.Read(_dir.File("nocfg.json"));
        using var expected = _ref.Read("gen.nocfg.audio_codes");                    // (1, B, K, F)
        TensorAssert.Equal(expected[0], codes, "gen.nocfg codes");
        using var audio = _ref.Read("gen.nocfg.audio_values");                     // (B, 1, T)
        using var got = AudioClip.Load(_dir.File("nocfg-1.wav")).ToTensor();
        TensorAssert.Close(audio[1], got, what: "gen.nocfg audio item 1");
    }

    [Theory]
    [InlineData("cont.cfg3", "3")]
    [InlineData("cont.nocfg", "1")]
    public async Task Continuation_reproduces_the_reference(string run, string guidance)
    {
        using (var x = _ref.Read("cont.input_values"))                              // (1, 1, 9600) at the model rate
            AudioClip.FromTensor(x, 32000).Save(_dir.File("prompt.wav"));
        Assert.Equal(0, await Generate(Prompts()[..1], "cont.wav", "--guidance", guidance, "--audio-prompt", _dir.File("prompt.wav"), "--codes-out", _dir.File("cont.json")));
        using var codes = CodesJson.Read(_dir.File("cont.json"));
        using var expected = _ref.Read($"{run}.audio_codes");                      // (1, 1, K, F)
        TensorAssert.Equal(expected[0], codes, $"{run} codes");
        using var audio = _ref.Read($"{run}.audio_values");                        // (1, 1, T)
        using var got = AudioClip.Load(_dir.File("cont.wav")).ToTensor();
        TensorAssert.Close(audio[0], got, what: $"{run} audio");
    }

    [Fact]
    public async Task Bad_options_fail_with_a_message_before_loading()
    {
        async Task Fails(string expected, params string[] args)
        {
            var (code, error) = await CliHost.RunCapturingErrors(args);
            Assert.Equal(1, code);
            Assert.Contains(expected, error);
        }
        string[] Gen(params string[] extra) =>
            ["generate", "--model", Fixture.Model(), "--text", Prompts()[0], "--out", _dir.File("x.wav"), .. extra];

        await Fails("not both", Gen("--max-new-tokens", "20", "--duration", "1"));
        await Fails("top-p = 2: expected a finite number in [0, 1]", Gen("--top-p", "2"));
        await Fails("duration = -1: expected a finite number of seconds > 0", Gen("--duration", "-1"));
        await Fails("--greedy takes the argmax, so --top-k would be ignored", Gen("--greedy", "--top-k", "10"));
        await Fails("--top-p, --temperature would be ignored", Gen("--greedy", "--top-p", "0.9", "--temperature", "0.5"));
        await Fails($"model folder '{_dir.File("missing")}' does not exist", "generate", "--model", _dir.File("missing"), "--text", "a", "--out", _dir.File("x.wav"));
        await Fails("missing.wav: audio file not found", Gen("--audio-prompt", _dir.File("missing.wav")));
        Directory.CreateDirectory(_dir.File("adir"));
        await Fails("adir: is a directory; expected a WAV file", Gen("--audio-prompt", _dir.File("adir")));
        await Fails($"--out {_dir.File("adir")} is a directory", "generate", "--model", Fixture.Model(), "--text", "a", "--out", _dir.File("adir"));
        // needs the model's codebook count: found at generation, named by the option and the minimum (6 for K = 4)
        await Fails("max-new-tokens = 3 is too few decoder steps: with 4 codebooks per channel the delay pattern needs at least 6", Gen("--max-new-tokens", "3"));
        Assert.False(File.Exists(_dir.File("x.wav")));
        // the greedy default values of the sampling options are not a conflict
        Assert.Equal(0, await CliHost.Run(Gen("--greedy", "--max-new-tokens", "6")));
    }
}
