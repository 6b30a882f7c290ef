using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Smitin.Tests.Support;

/// <summary>
/// Finds, in compiled IL, the call sites that hand TorchSharp a temporary <c>Scalar</c> (see Smitin.Native.Scalars):
/// an implicit conversion to <c>Scalar</c>, a <c>ToScalar()</c> whose result is not stored at once (in a local for
/// <c>using</c>, or a static field), a call to a TorchSharp method that makes a temporary scalar itself (found by
/// following TorchSharp's own IL: <c>Tensor + Tensor</c>, <c>square()</c>, <c>elu(double)</c>, ...), and the creation
/// of a TorchSharp module whose <c>forward</c> does (<c>nn.ELU()</c>). Each site is named by file:line from the PDB.
/// </summary>
public sealed class ScalarCallSites
{
    const string ScalarType = "TorchSharp.Scalar";
    const string ScalarExtensions = "TorchSharp.ScalarExtensionMethods";
    static readonly Dictionary<ushort, OperandType> OpCodeOperands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (ushort)o.Value, o => o.OperandType);

    readonly HashSet<string> _makesTemporaries;

    /// <summary>Reads TorchSharp's IL once: the methods that create a scalar, directly or through another method.</summary>
    /// <param name="torchSharpPath">TorchSharp.dll</param>
    public ScalarCallSites(string torchSharpPath)
    {
        using var pe = new PEReader(File.OpenRead(torchSharpPath));
        var md = pe.GetMetadataReader();
        var callers = new Dictionary<string, List<string>>();
        var direct = new HashSet<string>();
        foreach (var handle in md.MethodDefinitions)
        {
            var def = md.GetMethodDefinition(handle);
            if (def.RelativeVirtualAddress == 0) continue;
            string key = Key(md, handle);
            string declaring = TypeName(md, def.GetDeclaringType());
            foreach (var (_, _, target) in Calls(md, pe.GetMethodBody(def.RelativeVirtualAddress)))
            {
                if (target is null) continue;
                if (CreatesScalar(target) && declaring != ScalarType && declaring != ScalarExtensions) direct.Add(key);
                if (!callers.TryGetValue(target, out var list)) callers[target] = list = [];
                list.Add(key);
            }
        }
        _makesTemporaries = new HashSet<string>(direct);
        var work = new Queue<string>(direct);
        while (work.Count > 0)
            if (callers.TryGetValue(work.Dequeue(), out var list))
                foreach (var caller in list)
                    if (_makesTemporaries.Add(caller)) work.Enqueue(caller);
    }

    /// <summary>True when the TorchSharp method (key <c>Type::name(param types)</c>) makes a temporary scalar.</summary>
    public bool MakesTemporaries(string methodKey) => _makesTemporaries.Contains(methodKey);

    /// <summary>The offending call sites of one assembly, as <c>file:line: what</c>.</summary>
    /// <param name="assemblyPath">a Smitin assembly with its portable PDB next to it</param>
    public IReadOnlyList<string> Violations(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        string pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");
        using var pdbProvider = File.Exists(pdbPath) ? MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdbPath)) : null;
        var pdb = pdbProvider?.GetMetadataReader();
        var found = new List<string>();
        foreach (var handle in md.MethodDefinitions)
        {
            var def = md.GetMethodDefinition(handle);
            if (def.RelativeVirtualAddress == 0) continue;
            var body = pe.GetMethodBody(def.RelativeVirtualAddress);
            var il = Calls(md, body).ToList();
            for (int i = 0; i < il.Count; i++)
            {
                var (offset, next, target) = il[i];
                if (target is null) continue;
                string? what = null;
                if (target.StartsWith(ScalarType + "::op_Implicit(", StringComparison.Ordinal))
                    what = "implicit conversion to Scalar (a temporary)";
                else if (target.StartsWith(ScalarExtensions + "::ToScalar(", StringComparison.Ordinal) && !StoresAt(body, next))
                    what = "ToScalar() passed on without being held (store it: using var s = x.ToScalar(), or a static field)";
                else if (_makesTemporaries.Contains(target))
                    what = $"{Short(target)} makes a temporary Scalar inside TorchSharp";
                else if (ReturnsModuleWithTemporaries(md, target) is { } module)
                    what = $"{Short(target)} creates {module}, whose forward makes temporary Scalars";
                if (what is null) continue;
                found.Add($"{Location(md, pdb, handle, offset)}: {what}");
            }
        }
        return found;
    }

    string? ReturnsModuleWithTemporaries(MetadataReader md, string target)
    {
        // target keys carry the return type after "->"; a constructor's type is its declaring type
        int arrow = target.LastIndexOf("->", StringComparison.Ordinal);
        string type = target.Contains("::.ctor(", StringComparison.Ordinal) ? target[..target.IndexOf("::", StringComparison.Ordinal)]
            : arrow >= 0 ? target[(arrow + 2)..] : "";
        if (!type.StartsWith("TorchSharp.Modules.", StringComparison.Ordinal)) return null;
        return _makesTemporaries.Any(k => k.StartsWith(type + "::forward(", StringComparison.Ordinal)) ? type : null;
    }

    static bool CreatesScalar(string key) =>
        key.StartsWith(ScalarType + "::op_Implicit(", StringComparison.Ordinal) ||
        key.StartsWith(ScalarExtensions + "::ToScalar(", StringComparison.Ordinal);

    static string Short(string key) => key[..key.IndexOf('(')].Replace("TorchSharp.", "") + "(" + key[(key.IndexOf('(') + 1)..key.IndexOf(')')].Replace("TorchSharp.", "").Replace("System.", "") + ")";

    // stloc.0-3, stloc.s, stloc, stsfld right after the call: the scalar has an owner
    static bool StoresAt(MethodBodyBlock body, int offset)
    {
        var il = body.GetILBytes();
        if (offset >= il.Length) return false;
        byte b = il[offset];
        return b is >= 0x0A and <= 0x0D or 0x13 or 0x80 || (b == 0xFE && offset + 1 < il.Length && il[offset + 1] == 0x0E);
    }

    /// <summary>(offset, offset of the next instruction, callee key or null) of every instruction.</summary>
    static IEnumerable<(int Offset, int Next, string? Target)> Calls(MetadataReader md, MethodBodyBlock body)
    {
        var il = body.GetILBytes();
        int pos = 0;
        while (pos < il.Length)
        {
            int start = pos;
            ushort code = il[pos++];
            if (code == 0xFE) code = (ushort)(0xFE00 | il[pos++]);
            var operand = OpCodeOperands[code];
            string? target = null;
            if (operand == OperandType.InlineMethod && code is 0x28 or 0x6F or 0x73) // call, callvirt, newobj
                target = MethodKey(md, MetadataTokens.EntityHandle(BitConverter.ToInt32(il, pos)));
            pos += operand switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            yield return (start, pos, target);
        }
    }

    static string? MethodKey(MetadataReader md, EntityHandle handle)
    {
        var provider = new TypeNames();
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                return Key(md, (MethodDefinitionHandle)handle);
            case HandleKind.MemberReference:
            {
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                if (member.GetKind() != MemberReferenceKind.Method) return null;
                string parent = member.Parent.Kind switch
                {
                    HandleKind.TypeReference => TypeName(md, (TypeReferenceHandle)member.Parent),
                    HandleKind.TypeDefinition => TypeName(md, (TypeDefinitionHandle)member.Parent),
                    HandleKind.TypeSpecification => GenericDefinition(md.GetTypeSpecification((TypeSpecificationHandle)member.Parent).DecodeSignature(provider, null)),
                    _ => "?",
                };
                var sig = member.DecodeMethodSignature(provider, null);
                return Format(parent, md.GetString(member.Name), sig);
            }
            case HandleKind.MethodSpecification:
                return MethodKey(md, md.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
            default:
                return null;
        }
    }

    static string Key(MetadataReader md, MethodDefinitionHandle handle)
    {
        var def = md.GetMethodDefinition(handle);
        var sig = def.DecodeSignature(new TypeNames(), null);
        return Format(TypeName(md, def.GetDeclaringType()), md.GetString(def.Name), sig);
    }

    static string Format(string type, string name, MethodSignature<string> sig) =>
        $"{type}::{name}({string.Join(",", sig.ParameterTypes)})->{sig.ReturnType}";

    static string GenericDefinition(string name) => name.IndexOf('<') is var i and > 0 ? name[..i] : name;

    internal static string TypeName(MetadataReader md, TypeDefinitionHandle handle)
    {
        var t = md.GetTypeDefinition(handle);
        var declaring = t.GetDeclaringType();
        return declaring.IsNil ? Join(md.GetString(t.Namespace), md.GetString(t.Name)) : TypeName(md, declaring) + "/" + md.GetString(t.Name);
    }

    internal static string TypeName(MetadataReader md, TypeReferenceHandle handle)
    {
        var t = md.GetTypeReference(handle);
        return t.ResolutionScope.Kind == HandleKind.TypeReference
            ? TypeName(md, (TypeReferenceHandle)t.ResolutionScope) + "/" + md.GetString(t.Name)
            : Join(md.GetString(t.Namespace), md.GetString(t.Name));
    }

    static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    static string Location(MetadataReader md, MetadataReader? pdb, MethodDefinitionHandle handle, int offset)
    {
        var def = md.GetMethodDefinition(handle);
        string fallback = $"{TypeName(md, def.GetDeclaringType())}::{md.GetString(def.Name)} IL_{offset:x4}";
        if (pdb is null) return fallback;
        var info = pdb.GetMethodDebugInformation(handle.ToDebugInformationHandle());
        SequencePoint? best = null;
        foreach (var sp in info.GetSequencePoints())
        {
            if (sp.Offset > offset) break;
            if (!sp.IsHidden) best = sp;
        }
        if (best is not { } point) return fallback;
        string file = pdb.GetString(pdb.GetDocument(point.Document).Name);
        int src = Math.Max(file.IndexOf("/src/", StringComparison.Ordinal), file.IndexOf("/tests/", StringComparison.Ordinal));
        return $"{(src >= 0 ? file[(src + 1)..] : file)}:{point.StartLine} ({TypeName(md, def.GetDeclaringType())}.{md.GetString(def.Name)})";
    }

    /// <summary>Type names as text, the same for a definition and a reference to it.</summary>
    sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "System." + typeCode;
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeName(reader, handle);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => TypeName(reader, handle);
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
