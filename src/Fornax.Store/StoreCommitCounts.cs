namespace Fornax.Store;

/// <summary>
/// Transactions the store committed since it was opened. <see cref="Commits"/> counts the group commits that wrote
/// something; <see cref="SyncedCommits"/> those of them committed with <c>synchronous=FULL</c> (one fsync of the
/// write-ahead log each). The difference is what <see cref="WriteDurability.Relaxed"/> writes saved.
/// </summary>
public readonly record struct StoreCommitCounts(long Commits, long SyncedCommits);
