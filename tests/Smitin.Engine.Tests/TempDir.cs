namespace Smitin.Tests;

/// <summary>A fresh temporary directory per test, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "smitin-test-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string this[string relative] => System.IO.Path.Combine(Path, relative);
    public string File(string name) => this[name];
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}
