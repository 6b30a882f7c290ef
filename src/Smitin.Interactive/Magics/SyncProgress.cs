namespace Smitin.Interactive.Magics;

/// <summary>An <see cref="IProgress{T}"/> that calls back synchronously on the reporting thread (no SynchronizationContext hop).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
