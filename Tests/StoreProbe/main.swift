// A child process for the event store's multi-process tests (two processes, SIGKILL); filled in
// by those tests' author.
print("purplepages-store-probe")
