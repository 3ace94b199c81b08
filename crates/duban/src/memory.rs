//! 内存 — the allocators and how they give memory back.
//!
//! Rust's allocations go to mimalloc (the global allocator, `main.rs`): the judging, decoding
//! and importing that allocate millions of small values ran a tenth to a third faster than on
//! glibc's malloc (the province import 4.2 → 3.75 s; a million items' kept status read and
//! assembled 5.1 → 4.1 s; the ledger at 200 connections p99 22 → 12 ms). By default it
//! commits its whole first arena when the process starts and returns freed pages after 10 ms:
//! the province server peaked at 273 MiB against 190 on glibc. Committing arenas as used and
//! returning freed pages at once brought it to 198–217 MiB; with the 10 ms kept it measured
//! 222–249 MiB, too near the 250 MB bound, though a million items' first view is 0.3 s faster
//! so; the province import peaked at 226–248 MiB with the 10 ms, 176 MiB without. Set before
//! any thread starts; `MIMALLOC_ARENA_EAGER_COMMIT` and `MIMALLOC_PURGE_DELAY` in the
//! environment are left to rule.
//!
//! SQLite and the other C code still use glibc's malloc, which gives each thread that
//! allocates at once an arena of its own (up to eight a core) and keeps what is freed in each:
//! the server keeps two arenas and returns freed memory above 1 MiB. A command that runs once
//! and ends (an import, an export) keeps glibc's arenas. `MALLOC_ARENA_MAX` or
//! `MALLOC_TRIM_THRESHOLD_` in the environment are left to rule.

/// mimalloc's options "eagerly commit arenas" and "return freed pages after N ms"
/// (`mi_option_t` of mimalloc 2, `mimalloc.h`).
const MI_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Arenas committed as used and freed pages returned at once (mimalloc); for glibc, free
/// memory above 1 MiB at the top of a heap returned and, for the server (`serving`), two
/// arenas.
pub fn configure_allocator(serving: bool) {
    let set = |name: &str| std::env::var_os(name).is_some();
    // mimalloc read its options (and the environment) when the process started.
    for (option, name) in [
        (MI_ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT"),
        (MI_PURGE_DELAY, "MIMALLOC_PURGE_DELAY"),
    ] {
        if !set(name) {
            // SAFETY: setting an option is not thread-safe; this runs at the start of main,
            // before any other thread exists. The numbers are options of the bundled mimalloc 2.
            unsafe { libmimalloc_sys::mi_option_set(option, 0) };
        }
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const ARENAS: libc::c_int = 2;
        const TRIM_ABOVE: libc::c_int = 1024 * 1024;
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
