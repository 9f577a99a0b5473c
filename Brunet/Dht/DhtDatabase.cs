using Microsoft.Data.Sqlite;

namespace Brunet.Dht;

/// <summary>
/// A node's records in SQLite: one table of (slot, expiry, encoded record), WAL mode. Writes come in batches, one
/// transaction each, through prepared commands. A null path keeps the table in memory (tests, throwaway nodes).
/// </summary>
public sealed class DhtDatabase : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _upsert;
    private readonly SqliteCommand _delete;

    public DhtDatabase(string? path)
    {
        string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path ?? ":memory:",
            Mode = SqliteOpenMode.ReadWriteCreate,
            // A closed node must release its file at once, so a restarted one can open it.
            Pooling = false,
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Execute(path is null ? "PRAGMA journal_mode=MEMORY" : "PRAGMA journal_mode=WAL");
        // NORMAL in WAL mode: a power cut may lose the last batch, never corrupt the file.
        Execute("PRAGMA synchronous=NORMAL");
        Execute("CREATE TABLE IF NOT EXISTS dht_records (slot BLOB PRIMARY KEY, expires INTEGER NOT NULL, record BLOB NOT NULL) WITHOUT ROWID");
        _upsert = _connection.CreateCommand();
        _upsert.CommandText = "INSERT INTO dht_records (slot, expires, record) VALUES ($slot, $expires, $record) "
            + "ON CONFLICT(slot) DO UPDATE SET expires = excluded.expires, record = excluded.record";
        _upsert.Parameters.Add("$slot", SqliteType.Blob);
        _upsert.Parameters.Add("$expires", SqliteType.Integer);
        _upsert.Parameters.Add("$record", SqliteType.Blob);
        _upsert.Prepare();
        _delete = _connection.CreateCommand();
        _delete.CommandText = "DELETE FROM dht_records WHERE slot = $slot";
        _delete.Parameters.Add("$slot", SqliteType.Blob);
        _delete.Prepare();
    }

    /// <summary>Drops records expired at <paramref name="nowUnixMs"/>, then returns the encoded rest.</summary>
    public List<byte[]> LoadLive(long nowUnixMs)
    {
        using (SqliteCommand purge = _connection.CreateCommand())
        {
            purge.CommandText = "DELETE FROM dht_records WHERE expires <= $now";
            purge.Parameters.AddWithValue("$now", nowUnixMs);
            purge.ExecuteNonQuery();
        }
        var records = new List<byte[]>();
        using SqliteCommand select = _connection.CreateCommand();
        select.CommandText = "SELECT record FROM dht_records";
        using SqliteDataReader reader = select.ExecuteReader();
        while (reader.Read())
        {
            records.Add((byte[])reader[0]);
        }
        return records;
    }

    /// <summary>Writes a batch in one transaction: a record upserts its slot, a null record deletes it.</summary>
    public void Apply(IEnumerable<KeyValuePair<string, (byte[] Slot, DhtRecord? Record)>> changes)
    {
        using SqliteTransaction transaction = _connection.BeginTransaction();
        _upsert.Transaction = transaction;
        _delete.Transaction = transaction;
        foreach ((_, (byte[] slot, DhtRecord? record)) in changes)
        {
            if (record is null)
            {
                _delete.Parameters[0].Value = slot;
                _delete.ExecuteNonQuery();
            }
            else
            {
                _upsert.Parameters[0].Value = slot;
                _upsert.Parameters[1].Value = record.ExpiresUnixMs;
                _upsert.Parameters[2].Value = record.ToBytes();
                _upsert.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    public void Dispose()
    {
        _upsert.Dispose();
        _delete.Dispose();
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using SqliteCommand command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
