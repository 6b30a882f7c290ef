using System.Buffers.Binary;
using System.Text;

namespace Smitin.Native;

/// <summary>
/// Minimal ELF64 (little-endian) editor for the GNU version-need table (<c>.gnu.version_r</c>).
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> declares a need for <c>GLIBCXX_3.4.32</c> (GCC 13),
/// although no relocation uses a symbol of that version. Marking the need weak
/// (<c>VER_FLG_WEAK</c>) lets glibc load it against GCC 12's libstdc++ (Debian 12).
/// See ../shared/docs/ecosystem-notes.md §2.1.
/// </summary>
public static class ElfVersionNeed
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Result of looking for a version need.</summary>
    public enum State
    {
        /// <summary>The library does not need the version.</summary>
        NotFound,
        /// <summary>A required (non-weak) version need: loading fails without it.</summary>
        Strong,
        /// <summary>A weak version need: loading works without it.</summary>
        Weak,
    }

    /// <summary>Finds the vernaux entry named <paramref name="version"/> and reports whether it is weak.</summary>
    public static State Inspect(ReadOnlySpan<byte> elf, string version)
    {
        var (state, _) = Find(elf, version);
        return state;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the need for <paramref name="version"/>. Returns true when a change was made,
    /// false when the entry was already weak or absent. Nothing else in the file changes.
    /// </summary>
    public static bool Weaken(Span<byte> elf, string version)
    {
        var (state, flagsOffset) = Find(elf, version);
        if (state != State.Strong) return false;
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[flagsOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(elf[flagsOffset..], (ushort)(flags | VerFlgWeak));
        return true;
    }

    static (State, int) Find(ReadOnlySpan<byte> elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only little-endian ELF64 is supported");

        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        byte[] wanted = Encoding.ASCII.GetBytes(version);

        for (int i = 0; i < shnum; i++)
        {
            int sh = Checked(shoff + (ulong)(i * shentsize), 64, elf.Length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(elf[(sh + 4)..]) != ShtGnuVerneed) continue;

            int verneed = Checked(BinaryPrimitives.ReadUInt64LittleEndian(elf[(sh + 24)..]), 16, elf.Length);
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(sh + 40)..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(sh + 44)..]);
            int strtabHeader = Checked(shoff + (ulong)(link * shentsize), 64, elf.Length);
            int strtab = Checked(BinaryPrimitives.ReadUInt64LittleEndian(elf[(strtabHeader + 24)..]), 1, elf.Length);

            int vn = verneed;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(elf[(vn + 2)..]);
                int aux = vn + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(vn + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    Checked((ulong)aux, 16, elf.Length);
                    int name = strtab + (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 8)..]);
                    if (NameEquals(elf, name, wanted))
                    {
                        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(elf[(aux + 4)..]);
                        return ((flags & VerFlgWeak) != 0 ? State.Weak : State.Strong, aux + 4);
                    }
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(aux + 12)..]);
                }
                int next = (int)BinaryPrimitives.ReadUInt32LittleEndian(elf[(vn + 12)..]);
                if (next == 0) break;
                vn += next;
            }
        }
        return (State.NotFound, -1);
    }

    static bool NameEquals(ReadOnlySpan<byte> elf, int offset, byte[] wanted) =>
        offset >= 0 && offset + wanted.Length < elf.Length
        && elf.Slice(offset, wanted.Length).SequenceEqual(wanted) && elf[offset + wanted.Length] == 0;

    static int Checked(ulong offset, int size, int length)
    {
        if (offset + (ulong)size > (ulong)length) throw new InvalidDataException("ELF offset out of range");
        return (int)offset;
    }
}
