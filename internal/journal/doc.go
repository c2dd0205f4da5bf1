// Package journal makes a matching engine durable: every command is written
// to an append-only log and fsynced before its result is released (group
// commit: one fsync covers every command written since the last one), the
// engine state is snapshotted periodically, and recovery is the latest
// valid snapshot plus a replay of the log after it, which yields exactly the
// events the engine produced before the crash, because the engine is
// deterministic.
//
// On disk, a journal directory holds log segments named
// wal-<first command seq>.log and snapshots named snap-<command seq>.snap
// (both zero-padded to 20 digits). docs/matching.md describes the record
// framing, checksums and the recovery procedure, including what happens to
// a torn last record.
package journal
