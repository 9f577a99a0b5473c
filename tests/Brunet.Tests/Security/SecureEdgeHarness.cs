using Brunet.Addressing;
using Brunet.Security;

namespace Brunet.Tests.Security;

/// <summary>An initiator (on edge A) and a responder (on edge B) over a <see cref="FakeEdgePair"/> and a manual clock.</summary>
internal sealed class SecureEdgeHarness
{
    private static readonly NodeIdentity s_initiatorIdentity = NodeIdentity.Generate();
    private static readonly NodeIdentity s_responderIdentity = NodeIdentity.Generate();

    public SecureEdgeHarness(HandshakeOptions? initiatorOptions = null, HandshakeOptions? responderOptions = null,
        Address? initiatorExpects = null, NodeIdentity? initiator = null, NodeIdentity? responder = null)
    {
        InitiatorOptions = initiatorOptions ?? new HandshakeOptions("test");
        ResponderOptions = responderOptions ?? new HandshakeOptions("test");
        Initiator = new SecureEdge(initiator ?? InitiatorIdentity, InitiatorOptions, true, InitiatorHandler, Time, initiatorExpects);
        Responder = new SecureEdge(responder ?? ResponderIdentity, ResponderOptions, false, ResponderHandler, Time);
        Pair.A.Handler = Initiator;
        Pair.B.Handler = Responder;
    }

    public static NodeIdentity InitiatorIdentity => s_initiatorIdentity;

    public static NodeIdentity ResponderIdentity => s_responderIdentity;

    public HandshakeOptions InitiatorOptions { get; }

    public HandshakeOptions ResponderOptions { get; }

    public ManualTimeProvider Time { get; } = new();

    public FakeEdgePair Pair { get; } = new();

    public RecordingHandler InitiatorHandler { get; } = new();

    public RecordingHandler ResponderHandler { get; } = new();

    public SecureEdge Initiator { get; }

    public SecureEdge Responder { get; }

    /// <summary>Attaches both sides (the responder first, as a listener would) and pumps.</summary>
    public void Start()
    {
        Responder.Attach(Pair.B);
        Initiator.Attach(Pair.A);
        Pair.Pump();
    }

    /// <summary>Advances the clock by 250 ms steps, ticking and pumping, for <paramref name="duration"/>.</summary>
    public void Run(TimeSpan duration)
    {
        for (TimeSpan t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMilliseconds(250))
        {
            Time.Advance(TimeSpan.FromMilliseconds(250));
            Initiator.OnTick();
            Responder.OnTick();
            Pair.Pump();
        }
    }

    public bool BothEstablished => Initiator.IsEstablished && Responder.IsEstablished;
}
