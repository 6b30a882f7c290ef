using System.Diagnostics;
using System.Text.Json.Nodes;
using Smitin.IO;

namespace Smitin.Training;

/// <summary>
/// Trains the T5 tokenizer's SentencePiece vocabulary on the song descriptions with Debian's <c>spm_train</c>
/// (package <c>sentencepiece</c>; a build-time tool: the runtime reads <c>spiece.model</c> with
/// Microsoft.ML.Tokenizers). Ids follow T5: pad 0, eos 1, unk 2, no bos. Also writes the
/// <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c> a Hugging Face T5 tokenizer folder carries.
/// </summary>
public static class TextVocabulary
{
    public static void Train(IEnumerable<string> descriptions, int vocabSize, int seed, string outFolder, string spmTrain = "spm_train")
    {
        Directory.CreateDirectory(outFolder);
        string tmp = Directory.CreateTempSubdirectory("smitin-spm-").FullName;
        try
        {
            string input = Path.Combine(tmp, "descriptions.txt");
            File.WriteAllLines(input, descriptions.Distinct().OrderBy(d => d, StringComparer.Ordinal));
            var psi = new ProcessStartInfo(spmTrain)
            {
                RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = tmp,
            };
            foreach (var a in new[]
            {
                $"--input={input}", $"--model_prefix={Path.Combine(tmp, "spiece")}", $"--vocab_size={vocabSize}",
                "--model_type=unigram", "--character_coverage=1.0", "--pad_id=0", "--eos_id=1", "--unk_id=2", "--bos_id=-1",
                "--hard_vocab_limit=false", $"--random_seed={seed}", "--num_threads=1",
            }) psi.ArgumentList.Add(a);
            Process p;
            try { p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new SmitinException($"'{spmTrain}' not found: training the tokenizer needs SentencePiece's spm_train (Debian package 'sentencepiece': apt-get install sentencepiece)", e);
            }
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new SmitinException($"spm_train failed (exit {p.ExitCode}): {stderr.Result.Split('\n').LastOrDefault(l => l.Length > 0)}");
            AtomicFile.WriteAllBytes(Path.Combine(outFolder, "spiece.model"), File.ReadAllBytes(Path.Combine(tmp, "spiece.model")));
        }
        finally { Directory.Delete(tmp, true); }
        WriteTokenizerConfig(outFolder);
    }

    public static void WriteTokenizerConfig(string folder)
    {
        static JsonObject Tok(string content) => new() { ["content"] = content, ["lstrip"] = false, ["normalized"] = false, ["rstrip"] = false, ["single_word"] = false, ["special"] = true };
        var config = new JsonObject
        {
            ["add_prefix_space"] = true,
            ["added_tokens_decoder"] = new JsonObject { ["0"] = Tok("<pad>"), ["1"] = Tok("</s>"), ["2"] = Tok("<unk>") },
            ["additional_special_tokens"] = new JsonArray(), ["clean_up_tokenization_spaces"] = true,
            ["eos_token"] = "</s>", ["extra_ids"] = 0, ["legacy"] = true, ["model_max_length"] = 512,
            ["pad_token"] = "<pad>", ["processor_class"] = "MusicgenProcessor", ["sp_model_kwargs"] = new JsonObject(),
            ["tokenizer_class"] = "T5Tokenizer", ["unk_token"] = "<unk>",
        };
        var special = new JsonObject { ["eos_token"] = "</s>", ["pad_token"] = "<pad>", ["unk_token"] = "<unk>" };
        AtomicFile.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString(SynthModelConfig.Json));
        AtomicFile.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), special.ToJsonString(SynthModelConfig.Json));
    }
}
