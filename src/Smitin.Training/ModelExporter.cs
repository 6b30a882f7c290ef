using System.Text.Json.Nodes;
using Smitin.IO;
using Smitin.Models.Decoder;
using Smitin.Models.Text;
using static TorchSharp.torch;

namespace Smitin.Training;

/// <summary>
/// Writes a trained model as a Hugging Face MusicGen folder: <c>config.json</c>, <c>generation_config.json</c>,
/// <c>model.safetensors</c> (<c>text_encoder.*</c>, <c>enc_to_dec_proj.*</c>, <c>audio_encoder.*</c>,
/// <c>decoder.*</c>), the T5 tokenizer (<c>spiece.model</c> + configs) and <c>preprocessor_config.json</c>.
/// The codebooks' EMA training buffers are not exported (inference never reads them). The folder is assembled
/// next to <paramref name="outFolder"/> and renamed into place, so a failure never leaves half a model.
/// </summary>
public static class ModelExporter
{
    public static void Write(string outFolder, SynthModelConfig cfg, string codecWeights, string tokenizerFolder,
        TextConditioner text, MusicGenLm lm, int textVocabSize)
    {
        outFolder = Path.GetFullPath(outFolder);
        string tmp = outFolder + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(tmp);
        try
        {
            using (var scope = NewDisposeScope())
            using (var codec = SafeTensorsFile.Open(codecWeights))
            {
                var tensors = new Dictionary<string, Tensor>();
                foreach (var key in codec.Keys)
                    if (!key.EndsWith(".embed_avg", StringComparison.Ordinal) && !key.EndsWith(".cluster_size", StringComparison.Ordinal) &&
                        !key.EndsWith(".inited", StringComparison.Ordinal))
                        tensors[key] = codec.Read(key);
                foreach (var (k, v) in LmTrainer.StateTensors(text, lm)) tensors[k] = v.detach().contiguous();
                SafeTensorsWriter.Write(Path.Combine(tmp, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
            }
            File.WriteAllText(Path.Combine(tmp, "config.json"), cfg.ToConfigJson(textVocabSize).ToJsonString(SynthModelConfig.Json));
            var gen = new JsonObject
            {
                ["bos_token_id"] = cfg.CodebookSize, ["decoder_start_token_id"] = cfg.CodebookSize, ["pad_token_id"] = cfg.CodebookSize,
                ["do_sample"] = true, ["guidance_scale"] = 3.0, ["top_k"] = 250, ["max_length"] = cfg.MaxPositions,
            };
            File.WriteAllText(Path.Combine(tmp, "generation_config.json"), gen.ToJsonString(SynthModelConfig.Json));
            var pre = new JsonObject
            {
                ["chunk_length_s"] = null, ["feature_extractor_type"] = "EncodecFeatureExtractor", ["feature_size"] = 1, ["overlap"] = null,
                ["padding_side"] = "right", ["padding_value"] = 0.0, ["processor_class"] = "MusicgenProcessor",
                ["return_attention_mask"] = true, ["sampling_rate"] = cfg.SampleRate,
            };
            File.WriteAllText(Path.Combine(tmp, "preprocessor_config.json"), pre.ToJsonString(SynthModelConfig.Json));
            foreach (var f in new[] { "spiece.model", "tokenizer_config.json", "special_tokens_map.json" })
                File.Copy(Path.Combine(tokenizerFolder, f), Path.Combine(tmp, f));
            // training curves (CSV and SVG) of every stage, when the work folder has them
            string work = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(codecWeights)!)!)!;
            foreach (var (stage, title, columns) in new[]
            {
                ("codec", "codec training: log-mel L1, waveform L1, commitment", new[] { "mel", "l1", "commit" }),
                ("lm", "LM training: cross-entropy per codebook (nats)", new[] { "ce0", "ce1", "ce2", "ce3" }),
                ("pairs", "matched-pair tuning: cross-entropy, pair loss (nats), pair accuracy", new[] { "ce", "contrast", "accuracy" }),
            })
            {
                string csv = Path.Combine(work, stage, "curves.csv");
                if (!File.Exists(csv)) continue;
                File.Copy(csv, Path.Combine(tmp, $"{stage}-curves.csv"));
                CurvesPlot.Write(csv, Path.Combine(tmp, $"{stage}-curves.svg"), title, columns);
            }
            // keep whatever else the folder already holds (model card, curves, judge files)
            if (Directory.Exists(outFolder))
                foreach (var f in Directory.GetFiles(outFolder))
                    if (!File.Exists(Path.Combine(tmp, Path.GetFileName(f)))) File.Copy(f, Path.Combine(tmp, Path.GetFileName(f)));
            string old = outFolder + ".old-" + Guid.NewGuid().ToString("N")[..8];
            if (Directory.Exists(outFolder)) Directory.Move(outFolder, old);
            Directory.Move(tmp, outFolder);
            if (Directory.Exists(old)) Directory.Delete(old, true);
        }
        catch
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
            throw;
        }
    }
}
