using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Smitin.Interactive;

/// <summary>
/// Lets Plotly.NET 6.0.0 (built against FSharp.Core 10.1.0.0) run on the FSharp.Core a notebook host has already
/// loaded (dotnet-interactive 1.0.712001 ships 10.0.0.0 and cannot load a second one). The package pins
/// FSharp.Core 10.0.115 so a restore never hands the host a 10.1 copy; this resolver answers the remaining
/// requests for FSharp.Core 10.x with the loaded 10.x assembly. Only requests the runtime could not bind reach it.
/// A reference check found no FSharp.Core member used by Plotly.NET, Plotly.NET.CSharp, DynamicObj or
/// Giraffe.ViewEngine that 10.0.0.0 lacks (docs/notebooks.md).
/// </summary>
internal static class FSharpCoreBinding
{
    static int _installed;

#pragma warning disable CA2255 // a library module initializer on purpose: before any Plotly.NET type is bound
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "FSharp.Core" || name.Version is not { Major: 10 }) return null;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName() is { Name: "FSharp.Core", Version.Major: 10 } && AssemblyLoadContext.GetLoadContext(a) == AssemblyLoadContext.Default)
            .OrderByDescending(a => a.GetName().Version)
            .FirstOrDefault();
    }
}
