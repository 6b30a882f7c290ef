using System.Diagnostics;
using Smitin.Generation;
using Smitin.Models;
using Smitin.Models.Decoder;
using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Bench;

/// <summary>
/// Per-part timing of one decode step (<c>decode</c> bench): each part of the step is run alone, with the real
/// modules where the part is a module call (projections through <see cref="DecoderLinear"/>, LayerNorms, the
/// sampler), or the forward's own tensor ops at the step's shapes (attention over the KV cache, guidance, delay
/// bookkeeping), a step's worth at a time (24 layers), median of <see cref="Repeats"/>. What the parts do not
/// explain (step − sum) is dispatch, dispose scopes, allocation and hooks.
/// </summary>
sealed class StepProfile(MusicGenLm lm, int rows, int batch, int kvLength, int memoryLength)
{
    const int Repeats = 9;
    readonly DecoderConfig _c = lm.Config;

    public List<(string Part, double Ms)> Run()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        int d = _c.HiddenSize, h = _c.NumAttentionHeads, dh = d / h, k = _c.NumCodebooks, v = _c.VocabSize, layers = _c.NumHiddenLayers;
        var x = torch.randn(rows, 1, d);                                                     // (rows, 1, D)
        var xf = torch.randn(rows, 1, _c.FfnDim);                                            // (rows, 1, F)
        var kv = torch.randn([layers, 2, rows, h, kvLength + 64, dh]);                         // the self cache (per layer K and V)
        var crossK = torch.randn(rows, h, memoryLength, dh); var crossV = torch.randn(rows, h, memoryLength, dh);
        var crossMask = torch.zeros(rows, 1, 1, memoryLength);
        var codes = torch.randint(0, v, [rows, k, 1], ScalarType.Int64);
        var logits = torch.randn(rows, k, 1, v);
        var pattern = torch.full(batch, k, kvLength + 64, -1L, ScalarType.Int64);
        var sequence = torch.full(batch, k, kvLength + 64, (long)v, ScalarType.Int64);
        var gen = new Generator(1);
        var sampling = new GenerationOptions();
        float scaling = (float)Math.Pow(dh, -0.5);

        var parts = new List<(string, double)>
        {
            ("projections (DecoderLinear calls, chosen kernel)", Time(() =>
            {
                foreach (var layer in lm.Layers)
                {
                    foreach (var p in new[] { layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj, layer.self_attn.out_proj })
                        using (p.call(x)) { }
                    if (layer.encoder_attn is { } cross) { using (cross.q_proj.call(x)) { } using (cross.out_proj.call(x)) { } }
                    using (layer.fc1.call(x)) { }
                    using (layer.fc2.call(xf)) { }
                }
                foreach (var head in lm.lm_heads) using (head.call(x)) { }
            })),
            ($"self-attention over KV {kvLength} (append, fused scaled_dot_product_attention)", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                for (int l = 0; l < layers; l++)
                {
                    var q = x.reshape(rows, 1, h, dh).transpose(1, 2);                       // (rows, H, 1, Dh)
                    var kNew = x.reshape(rows, 1, h, dh).transpose(1, 2);
                    kv[l, 0].narrow(2, kvLength, 1).copy_(kNew); kv[l, 1].narrow(2, kvLength, 1).copy_(kNew);
                    var keys = kv[l, 0].narrow(2, 0, kvLength + 1); var values = kv[l, 1].narrow(2, 0, kvLength + 1);
                    var z = nn.functional.scaled_dot_product_attention(q, keys, values).transpose(1, 2).reshape(rows, 1, d);
                }
            })),
            ($"  (before: eager QK^T, softmax, PV ops instead of the fused one)", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                for (int l = 0; l < layers; l++)
                {
                    var q = (x * scaling).reshape(rows, 1, h, dh).transpose(1, 2);           // (rows, H, 1, Dh)
                    var kNew = x.reshape(rows, 1, h, dh).transpose(1, 2);
                    kv[l, 0].narrow(2, kvLength, 1).copy_(kNew); kv[l, 1].narrow(2, kvLength, 1).copy_(kNew);
                    var keys = kv[l, 0].narrow(2, 0, kvLength + 1); var values = kv[l, 1].narrow(2, 0, kvLength + 1);
                    var z = q.matmul(keys.transpose(-1, -2)).softmax(-1).matmul(values).transpose(1, 2).reshape(rows, 1, d);
                }
            })),
            ($"cross-attention over {memoryLength} text positions (fused, with the text mask)", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                for (int l = 0; l < layers; l++)
                {
                    var z = nn.functional.scaled_dot_product_attention(x.reshape(rows, 1, h, dh).transpose(1, 2), crossK, crossV, crossMask).transpose(1, 2).reshape(rows, 1, d);
                }
            })),
            ("layer norms (3 per layer + final)", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                foreach (var layer in lm.Layers)
                {
                    layer.self_attn_layer_norm.call(x); layer.final_layer_norm.call(x);
                    layer.encoder_attn_layer_norm?.call(x);
                }
                lm.Stack.layer_norm.call(x);
            })),
            ("activation + residual adds", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                foreach (var _ in lm.Layers) { nn.functional.gelu(xf); var r = x + x; r = r + x; r = r + x; }
            })),
            ("embeddings + positions", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                var e = lm.Stack.embed_tokens[0].call(codes.select(1, 0));
                for (int i = 1; i < k; i++) e = e + lm.Stack.embed_tokens[i].call(codes.select(1, i));
                e = e + lm.Stack.embed_positions.Slice(kvLength, 1);
            })),
            ("LM heads stack + guidance + finiteness check", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                var all = torch.stack(Enumerable.Range(0, k).Select(i => logits.select(1, i)).ToArray(), 1).squeeze(2); // (rows, K, V)
                var processed = rows == batch ? all : all.narrow(0, batch, batch) + (all.narrow(0, 0, batch) - all.narrow(0, batch, batch)) * 3.0;
                processed.isfinite().all().item<bool>();
            })),
            ($"top-k sampling over {batch * k} x {v}", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                Sampler.Next(logits.narrow(0, 0, batch).squeeze(2).reshape(batch * k, v), sampling, gen, 0);
            })),
            ("delay-pattern bookkeeping (input, forced tokens, write)", Time(() =>
            {
                using var s = torch.NewDisposeScope();
                var input = sequence.narrow(2, kvLength - 1, 1);
                if (rows != batch) input = torch.cat([input, input], 0);
                var next = torch.zeros(batch, k, ScalarType.Int64);
                var forced = pattern.select(2, kvLength);
                sequence.select(2, kvLength).copy_(torch.where(forced.eq(-1), next, forced));
            })),
        };
        return parts;
    }

    static double Time(Action part)
    {
        part();                                                                             // warm-up
        var ms = new double[Repeats];
        for (int i = 0; i < Repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            part();
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(ms);
        return ms[Repeats / 2];
    }
}
