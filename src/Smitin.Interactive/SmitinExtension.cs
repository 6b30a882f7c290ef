using Microsoft.DotNet.Interactive;
using Smitin.Interactive.Formatting;
using Smitin.Interactive.Magics;

namespace Smitin.Interactive;

/// <summary>
/// Entry point of the .NET Interactive extension. The NuGet package's
/// <c>interactive-extensions/dotnet/extension.dib</c> calls <see cref="Load"/>; after <c>#r</c> of the built
/// assembly call it yourself:
/// <code>Smitin.Interactive.SmitinExtension.Load(Microsoft.DotNet.Interactive.Kernel.Root);</code>
/// </summary>
public static class SmitinExtension
{
    /// <summary>
    /// Prepares TorchSharp's natives, registers the HTML formatters and the <c>#!smitin</c> magic on the root
    /// (composite) kernel, and prints the banner. Calling it again on the same kernel only re-registers the
    /// formatters (useful after <c>Formatter.ResetToDefault()</c>).
    /// </summary>
    public static void Load(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        // Before any torch.* call: the notebook host loads natives from the NuGet cache (ecosystem-notes §2.1).
        Native.TorchRuntime.Ensure();
        SmitinFormatters.Register();

        var root = kernel.RootKernel;
        bool fresh = SmitinMagics.Register(root);
        JupyterInterrupt.Install(root);                      // Jupyter's interrupt → Cancel (kernelspec of scripts/setup.sh)

        KernelInvocationContext.Current?.DisplayAs(Banner(fresh), "text/html");
    }

    /// <summary>The load banner (HTML): one paragraph listing the magics.</summary>
    internal static string Banner(bool fresh)
    {
        var subs = string.Join(", ", SmitinMagics.SubcommandNames.Select(n => $"<code>{n}</code>"));
        string again = fresh ? "" : " (already loaded on this kernel: formatters re-registered)";
        return $"<div class=\"smitin-banner\"><b>Smitin</b> loaded{again}. Magic: <code>#!smitin</code> with {subs}. " +
               "Add <code>--help</code> to any of them for its options; results are bound to C# variables " +
               $"(<code>model</code>, <code>dataset</code>, <code>probes</code>, <code>result</code>...). " +
               $"Torch: {System.Net.WebUtility.HtmlEncode(Native.TorchRuntime.Status)}.</div>";
    }
}
