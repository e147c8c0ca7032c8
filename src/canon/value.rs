//! Placeholder: being written.
//! HELPER: BEFORE WRITING CODE read /work/wt-types/HELPER-RULES.md (project rules, lint rules, commit on branch `types`, do not commit HELPER-RULES.md).
