//! 内存 — how the C allocator gives memory back. glibc's malloc gives each thread that
//! allocates at once an arena of its own (up to eight a core), and keeps what is freed in each
//! for later: the server's worker, blocking and SQLite threads each held their own leftovers of
//! the year's views, and the process grew with every page computed (the province: 281 MiB
//! after every page, 214 MiB with two arenas and freed memory above 1 MiB returned; no page
//! slower). A command that runs once and ends (an import, an export) keeps glibc's arenas: its
//! few busy threads — the reader of each sheet, SQLite's — contended for two, and the province
//! import took 6.6 s instead of 4.5 s. Set before any thread starts; `MALLOC_ARENA_MAX` or
//! `MALLOC_TRIM_THRESHOLD_` in the environment are left to rule.

/// Free memory above 1 MiB at the top of a heap returned to the system; for the server
/// (`serving`), two arenas.
pub fn configure_allocator(serving: bool) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const ARENAS: libc::c_int = 2;
        const TRIM_ABOVE: libc::c_int = 1024 * 1024;
        let set = |name: &str| std::env::var_os(name).is_some();
        // SAFETY: mallopt only sets the allocator's parameters; it is called at the start of
        // main, before any other thread exists.
        unsafe {
            if serving && !set("MALLOC_ARENA_MAX") {
                libc::mallopt(libc::M_ARENA_MAX, ARENAS);
            }
            if !set("MALLOC_TRIM_THRESHOLD_") {
                libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_ABOVE);
            }
        }
    }
}
