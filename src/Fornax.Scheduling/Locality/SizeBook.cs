using System.Collections.Concurrent;

namespace Fornax.Scheduling.Locality;

/// <summary>A function's sizes per invocation, averaged: response bytes, reads of its keyspaces and the bytes they returned.</summary>
public sealed record FunctionSizes(double ResponseBytes, double Reads, double ReadBytes);

/// <summary>
/// The sizes seen of each function's invocations, wherever they ran (here, or at the site that answered a forwarded one
/// and said so in its response), as exponential averages with weight <see cref="LocalityOptions.SizeWeight"/>, so a
/// function whose data grew is seen to read more within a few calls. Thread-safe.
/// </summary>
public sealed class SizeBook(LocalityOptions options)
{
    private readonly ConcurrentDictionary<string, FunctionSizes> _sizes = new(StringComparer.Ordinal);

    public FunctionSizes? Get(string function) => _sizes.GetValueOrDefault(function);

    public void Observe(string function, long responseBytes, int reads, long readBytes)
    {
        var w = options.SizeWeight;
        _sizes.AddOrUpdate(function,
            static (_, s) => new FunctionSizes(s.Response, s.Reads, s.ReadBytes),
            (_, old, s) => new FunctionSizes(Mix(old.ResponseBytes, s.Response, w), Mix(old.Reads, s.Reads, w), Mix(old.ReadBytes, s.ReadBytes, w)),
            (Response: (double)responseBytes, Reads: (double)reads, ReadBytes: (double)readBytes));
    }

    private static double Mix(double old, double seen, double weight) => old + (seen - old) * weight;
}
