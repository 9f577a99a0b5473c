using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Brunet.Benchmarks;

/// <summary>Samples the runtime's allocation ticks (one per ~100 KB allocated) by type, to find per-packet allocations.</summary>
internal sealed class AllocationSampler : EventListener
{
    public ConcurrentDictionary<string, long> ByType { get; } = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);   // GC keyword: AllocationTick
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is "GCAllocationTick_V4" or "GCAllocationTick_V3" && e.Payload is { } payload)
        {
            int index = e.PayloadNames!.IndexOf("TypeName");
            string type = index >= 0 ? payload[index]?.ToString() ?? "?" : "?";
            ByType.AddOrUpdate(type, 1, (_, n) => n + 1);
        }
    }
}
