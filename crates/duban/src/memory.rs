//! 内存 — how the C allocator gives memory back. glibc's malloc gives each thread that
//! allocates at once an arena of its own (up to eight a core), and keeps what is freed in each
//! for later: the server's worker, blocking and SQLite threads each held their own leftovers of
//! the year's views, and the process grew with every page computed (the province: 281 MiB
//! after every page, 214 MiB with two arenas and freed memory above 1 MiB returned; no page
//! slower). Set before any thread starts; `MALLOC_ARENA_MAX` or `MALLOC_TRIM_THRESHOLD_` in
//! the environment are left to rule.

/// Two arenas, and free memory above 1 MiB at the top of a heap returned to the system.
pub fn configure_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const ARENAS: libc::c_int = 2;
        const TRIM_ABOVE: libc::c_int = 1024 * 1024;
        let set = |name: &str| std::env::var_os(name).is_some();
        // SAFETY: mallopt only sets the allocator's parameters; it is called at the start of
        // main, before any other thread exists.
        unsafe {
            if !set("MALLOC_ARENA_MAX") {
                libc::mallopt(libc::M_ARENA_MAX, ARENAS);
            }
            if !set("MALLOC_TRIM_THRESHOLD_") {
                libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_ABOVE);
            }
        }
    }
}
