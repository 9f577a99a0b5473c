using Brunet.Addressing;

namespace Brunet.Linking;

/// <summary>A node's view of its ring neighbours: the nearest two on each side (null where it has none).</summary>
public readonly record struct NeighbourView(Address? Right, Address? Right2, Address? Left, Address? Left2);

/// <summary>
/// Brunet's ring consistency: for every node, 4 checks (right.left, left.right, left2.right2, right2.left2 point
/// back to it); consistency = passed / (4 × nodes); a node is consistent when it passes all four.
/// </summary>
public static class RingConsistency
{
    public readonly record struct Result(int Nodes, int ConsistentNodes, int ChecksPassed, IReadOnlyList<Address> Inconsistent)
    {
        public double Consistency => Nodes == 0 ? 0 : ChecksPassed / (4.0 * Nodes);
    }

    public static Result Check(IReadOnlyDictionary<Address, NeighbourView> views)
    {
        int consistent = 0;
        int passed = 0;
        var inconsistent = new List<Address>();
        foreach ((Address node, NeighbourView view) in views)
        {
            int checks = 0;
            if (view.Right is { } r && views.TryGetValue(r, out NeighbourView rv) && rv.Left == node)
            {
                checks++;
            }
            if (view.Left is { } l && views.TryGetValue(l, out NeighbourView lv) && lv.Right == node)
            {
                checks++;
            }
            if (view.Left2 is { } l2 && views.TryGetValue(l2, out NeighbourView l2v) && l2v.Right2 == node)
            {
                checks++;
            }
            if (view.Right2 is { } r2 && views.TryGetValue(r2, out NeighbourView r2v) && r2v.Left2 == node)
            {
                checks++;
            }
            passed += checks;
            if (checks == 4)
            {
                consistent++;
            }
            else
            {
                inconsistent.Add(node);
            }
        }
        return new Result(views.Count, consistent, passed, inconsistent);
    }
}
