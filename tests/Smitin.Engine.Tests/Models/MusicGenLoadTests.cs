using System.Text.Json.Nodes;
using Smitin.IO;
using Smitin.Models;
using Smitin.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Tests.Models;

/// <summary>
/// Bad model folders through the public loader: each is a copy of the fixture in a temp dir, damaged in one way.
/// Every error must be a <see cref="SmitinException"/> naming the file, field or tensor and what was expected.
/// </summary>
public class MusicGenLoadTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("smitin-load-").FullName;
    public void Dispose() => Directory.Delete(_root, true);

    /// <summary>A writable copy of the fixture's model files (never write next to the fixture).</summary>
    string CopyFixture(string name = "model")
    {
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Fixture.Model()))
        {
            string n = Path.GetFileName(f);
            if (n.StartsWith("reference.", StringComparison.Ordinal) || n == "README.md") continue;
            File.Copy(f, Path.Combine(dir, n));
            File.SetAttributes(Path.Combine(dir, n), FileAttributes.Normal);
        }
        return dir;
    }

    /// <summary>Rewrites the copy's model.safetensors after <paramref name="edit"/> changed its tensors.</summary>
    static void EditWeights(string dir, Action<Dictionary<string, Tensor>> edit)
    {
        string path = Path.Combine(dir, "model.safetensors");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var file = SafeTensorsFile.Open(path))
            foreach (var k in file.Keys) tensors[k] = file.Read(k);
        edit(tensors);
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        foreach (var t in tensors.Values) t.Dispose();
    }

    static void EditConfig(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, "config.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
    }

    static SmitinException LoadFails(string dir) => Assert.Throws<SmitinException>(() => TinyModel.Load(dir).Dispose());

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    public void A_cuda_device_on_this_cpu_build_says_cuda_is_unavailable(string device)
    {
        Smitin.Native.TorchRuntime.Ensure();
        if (torch.cuda.is_available()) return;                                  // a CUDA machine loads it instead
        var e = Assert.Throws<SmitinException>(() => MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { Device = device }));
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains(device, e.Message);
    }

    [Fact]
    public void An_unknown_device_is_named()
    {
        Smitin.Native.TorchRuntime.Ensure();
        var e = Assert.Throws<SmitinException>(() => MusicGen.Load(Fixture.Model(), new MusicGenLoadOptions { Device = "gpu7" }));
        Assert.Contains("unknown device 'gpu7'", e.Message);
    }

    [Fact]
    public void MissingFolder()
    {
        string dir = Path.Combine(_root, "nope");
        var e = LoadFails(dir);
        Assert.Contains("model folder not found", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void MissingConfig()
    {
        string dir = CopyFixture();
        File.Delete(Path.Combine(dir, "config.json"));
        Assert.Contains("config.json not found", LoadFails(dir).Message);
    }

    [Fact]
    public void MissingWeights()
    {
        string dir = CopyFixture();
        File.Delete(Path.Combine(dir, "model.safetensors"));
        var e = LoadFails(dir);
        Assert.Contains("no weights found", e.Message);
        Assert.Contains("model.safetensors", e.Message);
    }

    [Fact]
    public void MissingSpieceModelFailsAtTheFirstTextUse()
    {
        // Audio-only use (encode/decode) needs no tokenizer, so the model loads; prompts then name the missing file.
        string dir = CopyFixture();
        File.Delete(Path.Combine(dir, "spiece.model"));
        using var model = TinyModel.Load(dir);
        var e = Assert.Throws<SmitinException>(() => model.EncodeText(["drums"]));
        Assert.Contains("spiece.model not found", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void TokenizerLargerThanTheTextVocabularyIsRefused()
    {
        string dir = CopyFixture();
        EditConfig(dir, c => c["text_encoder"]!["vocab_size"] = 100);
        EditWeights(dir, t => { var w = t["text_encoder.shared.weight"]; t["text_encoder.shared.weight"] = w[..100].clone(); w.Dispose(); });
        var e = LoadFails(dir);
        Assert.Contains("tokenizer has 160 ids", e.Message);
        Assert.Contains("text_encoder.vocab_size is 100", e.Message);
    }

    [Theory]
    [InlineData("decoder", "num_attention_heads")]
    [InlineData("text_encoder", "d_model")]
    [InlineData("text_encoder", "num_heads")]
    [InlineData("audio_encoder", "codebook_size")]
    public void ConfigMissingAFieldNamesIt(string section, string field)
    {
        string dir = CopyFixture();
        EditConfig(dir, c => c[section]!.AsObject().Remove(field));
        var e = LoadFails(dir);
        Assert.Contains($"'{section}.{field}'", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void ScaleEmbeddingTrueIsRefusedByName()
    {
        string dir = CopyFixture();
        EditConfig(dir, c => c["decoder"]!["scale_embedding"] = true);
        Assert.Contains("decoder.scale_embedding is true", LoadFails(dir).Message);
    }

    [Fact]
    public void GenerationConfigGuidanceScaleIsTheDefaultUnlessTheOptionsGiveOne()
    {
        string five = CopyFixture("five");
        string path = Path.Combine(five, "generation_config.json");
        var gen = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        gen["guidance_scale"] = 5.0;
        File.WriteAllText(path, gen.ToJsonString());
        using var fiveModel = TinyModel.Load(five);
        using var fixture = TinyModel.Load();
        var greedy = new Smitin.Generation.GenerationOptions { Greedy = true, MaxNewTokens = 12, Seed = 1 };

        using var byDefault = fiveModel.Generate(["drums"], greedy);                       // no scale given: the checkpoint's 5
        using var explicitFive = fixture.Generate(["drums"], greedy with { GuidanceScale = 5 });
        using var fixtureDefault = fixture.Generate(["drums"], greedy);                    // the fixture's own config says 3
        Assert.Equal(5.0, byDefault.Options.GuidanceScale);
        Assert.Equal(3.0, fixtureDefault.Options.GuidanceScale);
        Assert.True(byDefault.Codes.equal(explicitFive.Codes).all().item<bool>(), "default from generation_config.json = explicit 5");
        Assert.False(byDefault.Codes.equal(fixtureDefault.Codes).all().item<bool>(), "scale 5 and scale 3 should differ on 12 greedy steps");

        using var overridden = fiveModel.Generate(["drums"], greedy with { GuidanceScale = 3 });  // the user's value wins
        Assert.Equal(3.0, overridden.Options.GuidanceScale);
        Assert.True(overridden.Codes.equal(fixtureDefault.Codes).all().item<bool>(), "explicit 3 on the 5-config model = the fixture's 3");
    }

    [Fact]
    public void ConfigFieldOfTheWrongTypeNamesIt()
    {
        string dir = CopyFixture();
        EditConfig(dir, c => c["text_encoder"]!["num_layers"] = "two");
        Assert.Contains("'text_encoder.num_layers'", LoadFails(dir).Message);
    }

    [Theory]
    [InlineData("text_encoder.encoder.block.1.layer.1.DenseReluDense.wo.weight", "[24, 64]")]
    [InlineData("text_encoder.shared.weight", "[160, 24]")]
    [InlineData("enc_to_dec_proj.bias", "[32]")]
    public void MissingTensorIsNamedWithItsExpectedShape(string key, string shape)
    {
        string dir = CopyFixture();
        EditWeights(dir, t => { t[key].Dispose(); t.Remove(key); });
        var e = LoadFails(dir);
        Assert.Contains($"'{key}' missing", e.Message);
        Assert.Contains(shape, e.Message);
    }

    [Fact]
    public void UnexpectedTensorIsNamed()
    {
        string dir = CopyFixture();
        const string extra = "text_encoder.encoder.block.2.layer.0.SelfAttention.q.weight";
        EditWeights(dir, t => t[extra] = torch.zeros(32, 24));
        var e = LoadFails(dir);
        Assert.Contains($"unknown tensor '{extra}'", e.Message);
    }

    [Fact]
    public void MisShapedTensorGivesGotAndExpected()
    {
        string dir = CopyFixture();
        const string key = "text_encoder.encoder.block.0.layer.0.SelfAttention.q.weight";
        EditWeights(dir, t => { t[key].Dispose(); t[key] = torch.zeros(32, 25); });
        var e = LoadFails(dir);
        Assert.Contains($"'{key}' has wrong shape", e.Message);
        Assert.Contains("got [32, 25], expected [32, 24]", e.Message);
    }

    [Fact]
    public void TruncatedSafetensorsIsANamedError()
    {
        string dir = CopyFixture();
        string path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = LoadFails(dir);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void MalformedSafetensorsHeaderIsANamedError()
    {
        string dir = CopyFixture();
        string path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        bytes[8] = (byte)'['; // header JSON no longer an object
        File.WriteAllBytes(path, bytes);
        var e = LoadFails(dir);
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("header", e.Message);
    }

    [Fact]
    public void AbsurdHeaderLengthDoesNotAllocate()
    {
        string dir = CopyFixture();
        string path = Path.Combine(dir, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("malformed safetensors header length", LoadFails(dir).Message);
    }

    [Fact]
    public void PickleOnlyFolderIsRefusedWithConversionAdvice()
    {
        string dir = CopyFixture();
        File.Delete(Path.Combine(dir, "model.safetensors"));
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x80, 0x02]);
        var e = LoadFails(dir);
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("safe_serialization=True", e.Message);
    }

    [Fact]
    public void ShardedCheckpointLoadsAndGivesIdenticalResults()
    {
        string dir = CopyFixture("sharded");
        string single = Path.Combine(dir, "model.safetensors");
        var index = new JsonObject();
        var weightMap = new JsonObject();
        using (var file = SafeTensorsFile.Open(single))
        {
            var keys = file.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var shards = new[] { keys.Where((_, i) => i % 2 == 0).ToList(), keys.Where((_, i) => i % 2 == 1).ToList() };
            for (int s = 0; s < 2; s++)
            {
                string name = $"model-{s + 1:D5}-of-00002.safetensors";
                var tensors = shards[s].ToDictionary(k => k, k => file.Read(k));
                SafeTensorsWriter.Write(Path.Combine(dir, name), tensors, new Dictionary<string, string> { ["format"] = "pt" });
                foreach (var t in tensors.Values) t.Dispose();
                foreach (var k in shards[s]) weightMap[k] = name;
            }
        }
        File.Delete(single);
        index["metadata"] = new JsonObject { ["total_size"] = 0 };
        index["weight_map"] = weightMap;
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());

        using var sharded = TinyModel.Load(dir);
        using var scope = torch.NewDisposeScope();
        string[] prompts = ["80s pop track with bassy drums and synth", "lo-fi piano"];
        using var a = TinyModel.Shared.EncodeText(prompts, outputHiddenStates: true);
        using var b = sharded.EncodeText(prompts, outputHiddenStates: true);
        TensorAssert.Equal(a.InputIds, b.InputIds, "input_ids");
        TensorAssert.Close(a.LastHiddenState, b.LastHiddenState, 0, 0, "last_hidden_state");
        TensorAssert.Close(a.EncoderHiddenStates, b.EncoderHiddenStates, 0, 0, "encoder_hidden_states");
    }

    [Fact]
    public void ShardMissingFromIndexIsNamed()
    {
        string dir = CopyFixture();
        File.Delete(Path.Combine(dir, "model.safetensors"));
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            "{\"weight_map\": {\"text_encoder.shared.weight\": \"model-00001-of-00002.safetensors\"}}");
        Assert.Contains("'model-00001-of-00002.safetensors'", LoadFails(dir).Message);
    }

    [Fact]
    public void TiedEmbeddingStoredUnderTheEncoderNameAlsoLoads()
    {
        // Some exports keep encoder.embed_tokens.weight instead of (or besides) shared.weight.
        string dir = CopyFixture();
        EditWeights(dir, t =>
        {
            t["text_encoder.encoder.embed_tokens.weight"] = t["text_encoder.shared.weight"];
            t.Remove("text_encoder.shared.weight");
        });
        using var renamed = TinyModel.Load(dir);
        using var scope = torch.NewDisposeScope();
        using var a = TinyModel.Shared.EncodeText(["synth drums"]);
        using var b = renamed.EncodeText(["synth drums"]);
        TensorAssert.Close(a.EncoderHiddenStates, b.EncoderHiddenStates, 0, 0, "encoder_hidden_states");
    }

    [Fact]
    public void WeightNormAsParametrizationsLoadsLikeWeightGAndWeightV()
    {
        // Newer exports store weight norm as parametrizations.weight.original0 (g) / original1 (v): same folded weight.
        string dir = CopyFixture();
        int renamed = 0;
        EditWeights(dir, t =>
        {
            foreach (var key in t.Keys.Where(k => k.EndsWith(".weight_g", StringComparison.Ordinal)).ToList())
            {
                string stem = key[..^".weight_g".Length];
                t[stem + ".parametrizations.weight.original0"] = t[key];
                t[stem + ".parametrizations.weight.original1"] = t[stem + ".weight_v"];
                t.Remove(key);
                t.Remove(stem + ".weight_v");
                renamed++;
            }
        });
        Assert.True(renamed > 0, "the fixture stores weight norm as weight_g/weight_v");
        using var model = TinyModel.Load(dir);
        using var scope = torch.NewDisposeScope();
        using var reference = Fixture.Reference();
        var audio = reference.Read("encodec.input_values");                        // (1, 1, 32000)
        var codes = reference.Read("encodec.audio_codes")[0];                       // (1, 4, 50)
        TensorAssert.Close(TinyModel.Shared.DecodeCodes(codes), model.DecodeCodes(codes), 0, 0, "decoded audio");
        TensorAssert.Equal(codes, model.EncodeAudio(audio), "codes");
    }

    [Fact]
    public void WeightNormWithOnlyOneHalfIsNamed()
    {
        string dir = CopyFixture();
        string? gone = null;
        EditWeights(dir, t => { gone = t.Keys.First(k => k.EndsWith(".weight_v", StringComparison.Ordinal)); t[gone].Dispose(); t.Remove(gone); });
        var e = LoadFails(dir);
        Assert.Contains(gone!, e.Message);
        Assert.Contains("one is missing", e.Message);
    }

    [Fact]
    public void HyperParametersAreLoggedAtLoad()
    {
        var log = new List<string>();
        using var model = TinyModel.Load(log: log);
        string all = string.Join("\n", log);
        Assert.Contains("text_encoder: t5 vocab=160 d_model=24 layers=2 heads=4 d_kv=8 d_ff=64 act=relu buckets=32/128", all);
        Assert.Contains("decoder: musicgen layers=2 hidden=32 heads=4", all);
        Assert.Contains("loaded in", all);
    }
}

public class MusicGenLoadScopeTests
{
    [Fact]
    public void WeightsOutliveTheCallersDisposeScope()
    {
        MusicGen model;
        using (torch.NewDisposeScope()) model = TinyModel.Load();
        using (model)
        using (var cond = model.EncodeText(["synth drums"]))
            Assert.Equal(new long[] { 1, cond.Length, model.Config.Decoder.HiddenSize }, cond.EncoderHiddenStates.shape);
    }
}
