namespace Brunet.Node;

/// <summary>The overlay's built-in RPC method names. On the wire: never rename (add new ones instead).</summary>
public static class Methods
{
    public const string Ping = "sys:ping";
    public const string Link = "sys:link";
    public const string LinkUpdate = "sys:link.update";
    public const string Close = "sys:close";
    public const string Neighbors = "sys:neighbors";
    public const string ConnectTo = "sys:connectto";

    /// <summary>A notify to each link: the sender's link list, for lookahead routing (Brunet.Linking.LinkList).</summary>
    public const string Links = "sys:links";

    /// <summary>Starts a birthday punch between a symmetric NAT and a cone (Brunet.Nat.BirthdayRace).</summary>
    public const string Birthday = "sys:nat.birthday";

    /// <summary>The crawler's call: a node's neighbours, links and edges (issue E).</summary>
    public const string LinkStatus = "sys:link.status";

    /// <summary>A node's identity, addresses and counters.</summary>
    public const string NodeInfo = "sys:node.info";
}
