using TorchSharp;
using static TorchSharp.torch;

namespace Smitin.Native;

/// <summary>
/// TorchSharp <see cref="Scalar"/>s that outlive the native call they are passed to: the one rule every tensor operation
/// with a scalar argument in the engine and the trainers follows.
///
/// Why: a TorchSharp 0.107 <see cref="Scalar"/> is a managed object with a finaliser that deletes its native
/// <c>c10::Scalar</c> (<c>Scalar.cs</c>: <c>~Scalar() =&gt; Dispose(false)</c> → <c>THSTorch_dispose_scalar</c> →
/// <c>delete</c>), and it is no <c>SafeHandle</c>: an operation such as <c>Tensor.mul(Scalar target)</c> passes the raw
/// <c>target.Handle</c> to the native function without <c>GC.KeepAlive</c> (<c>Tensor.Math.cs</c>). A scalar made by an
/// implicit conversion (<c>x * 0.5</c>, <c>x.pow(2)</c>, <c>x.clamp_min(1e-6)</c>, <c>mask.masked_fill(m, float.MinValue)</c>)
/// is a temporary that nothing references once its handle has been read, so in optimised code a garbage collection
/// started by another thread during the native call may finalise it, and libtorch then reads freed memory ("Unknown
/// scalar type", "Expected false to be true ... toFloat at c10/core/Scalar.h"). TorchSharp also makes such temporaries
/// itself: <c>Tensor + Tensor</c> is <c>add(other, 1)</c> (alpha), <c>square()</c> is <c>pow(2)</c>,
/// <c>Tensor ∘ number</c> operators, <c>elu(double)</c> and the <c>nn.ELU</c> module, <c>softplus</c>,
/// <c>arange(stop)</c> (start 0, step 1). Under the parallel test run this failed about one run in two. With a second
/// thread forcing collections, <c>x + y</c>, <c>x.pow(2.0)</c> and <c>nn.ELU</c> on 64 floats failed within 1–2 s (15–25
/// thousand calls), the same calls with held scalars never (270–380 thousand calls in 15 s each). dotnet/TorchSharp
/// PR #1434 / #1496 (open) would dispose them.
///
/// The rule: a scalar argument is either a static field (this class, or a <c>static readonly Scalar</c> next to its one
/// use) or a <c>using var s = value.ToScalar();</c> local that is disposed after the call; <c>Tensor + Tensor</c> is
/// written <c>a.add(b, Scalars.One)</c> (the same call TorchSharp's operator makes, with a held alpha). Each constant is
/// built by the same <c>ToScalar</c> overload the implicit conversion used (int stays an integer scalar, a float a
/// floating one), so the native calls, and the numbers, are unchanged. <c>ScalarsTests</c> scans the compiled
/// assemblies and names any call site that breaks the rule. A static scalar is never freed; libtorch only reads it, so
/// threads share it. Not covered: what TorchSharp does inside a virtual call (its optimisers' <c>step</c>, training).
/// </summary>
internal static class Scalars
{
    /// <summary>Integer 1: the alpha of <c>a.add(b, Scalars.One)</c> (what <c>Tensor + Tensor</c> passes), and 1 where an
    /// integer 1 was meant.</summary>
    public static readonly Scalar One = 1.ToScalar();
    /// <summary>Integer 0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();
    /// <summary>Integer −1 (the delay pattern's "free" marker).</summary>
    public static readonly Scalar MinusOne = (-1).ToScalar();
    /// <summary>Integer 2 (<c>pow(Scalars.Two)</c> is what <c>square()</c> and <c>pow(2)</c> pass).</summary>
    public static readonly Scalar Two = 2.ToScalar();
    /// <summary>Boolean true (<c>fill_</c> of a mask).</summary>
    public static readonly Scalar True = true.ToScalar();
    /// <summary><see cref="float.MinValue"/> as a float scalar: the additive mask value of the reference.</summary>
    public static readonly Scalar FloatMin = float.MinValue.ToScalar();
    /// <summary>Floating 1.0: alpha, scale and input scale of <see cref="Elu"/> (what <c>nn.ELU()</c> passes).</summary>
    public static readonly Scalar DoubleOne = 1.0.ToScalar();

    /// <summary>Floating 20.0: softplus's default threshold.</summary>
    static readonly Scalar SoftplusThreshold = 20.0.ToScalar();

    // TorchSharp's public softplus(double beta, double threshold) converts both to temporary scalars and calls its
    // private softplus1(Scalar, Scalar); this calls the latter with held ones (the same native THSTensor_softplus call).
    // In its own class so that a TorchSharp without that method fails the softplus callers only, not every user of
    // the constants above (a throwing static initialiser here would make the whole class unusable).
    static class SoftplusMethod
    {
        internal static readonly Func<Tensor, Scalar, Scalar, Tensor> Call =
            typeof(Tensor).GetMethod("softplus1", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic,
                [typeof(Scalar), typeof(Scalar)]) is { } m
                ? m.CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>()
                : throw new MissingMethodException("TorchSharp.torch+Tensor.softplus1(Scalar, Scalar) (TorchSharp 0.107) is missing: " +
                    "this TorchSharp version needs Smitin.Native.Scalars.Softplus adapted");
    }

    /// <summary>ELU with alpha 1 (<c>nn.ELU()</c>, <c>torch.nn.functional.elu</c>) with held scalars.</summary>
    /// <param name="x">any shape</param>
    /// <returns>elu(x), same shape</returns>
    public static Tensor Elu(Tensor x) => x.elu(DoubleOne, DoubleOne, DoubleOne);

    /// <summary>softplus(x) = log(1 + exp(x)) with beta 1 and threshold 20 (<c>torch.nn.functional.softplus</c>'s
    /// defaults) with held scalars.</summary>
    /// <param name="x">any shape</param>
    /// <returns>softplus(x), same shape</returns>
    public static Tensor Softplus(Tensor x) => SoftplusMethod.Call(x, DoubleOne, SoftplusThreshold);
}
