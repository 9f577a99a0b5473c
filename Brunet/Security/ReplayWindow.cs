namespace Brunet.Security;

/// <summary>
/// A sliding window over 64-bit packet counters (RFC 6479 style, as in IPsec and WireGuard): accepts each counter at
/// most once and refuses counters more than <see cref="Size"/> below the highest seen. Not thread-safe.
/// While counters arrive in order (0, 1, 2, ...: every counter up to the highest seen) the window needs no bitmap and
/// holds none; the first gap or late packet allocates it. The simulator holds a million edges that never reorder.
/// </summary>
internal sealed class ReplayWindow
{
    /// <summary>Counters tracked below the highest one.</summary>
    public const int Size = 2048;

    private const int Words = Size / 64;

    private ulong[]? _bits;     // null: every counter up to _highest was seen
    private ulong _highest;
    private bool _any;

    /// <summary>True when <paramref name="counter"/> has not been seen and is not too old (does not record it).</summary>
    public bool CanAccept(ulong counter)
    {
        if (!_any || counter > _highest)
        {
            return true;
        }
        if (_highest - counter >= Size)
        {
            return false;
        }
        return _bits is not null && (_bits[Word(counter)] & Bit(counter)) == 0;
    }

    /// <summary>Records <paramref name="counter"/>: call only after the packet authenticated. False for a replay.</summary>
    public bool TryAccept(ulong counter)
    {
        if (!CanAccept(counter))
        {
            return false;
        }
        if (_bits is null)
        {
            if (counter == (_any ? _highest + 1 : 0))
            {
                _any = true;
                _highest = counter;
                return true;
            }
            _bits = new ulong[Words];
            if (_any)
            {
                Array.Fill(_bits, ulong.MaxValue);   // every counter in the window up to _highest was seen
            }
        }
        if (!_any)
        {
            _any = true;
            _highest = counter;
        }
        else if (counter > _highest)
        {
            ulong advance = counter - _highest;
            if (advance >= Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                for (ulong c = _highest + 1; c < counter; c++)
                {
                    _bits[Word(c)] &= ~Bit(c);
                }
            }
            _highest = counter;
        }
        _bits[Word(counter)] |= Bit(counter);
        return true;
    }

    private static int Word(ulong counter) => (int)(counter / 64 % Words);

    private static ulong Bit(ulong counter) => 1UL << (int)(counter % 64);
}
