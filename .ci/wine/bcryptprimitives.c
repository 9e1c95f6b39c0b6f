/* Test-only stand-in for bcryptprimitives.dll under Wine 8, which lacks ProcessPrng (Rust's std
 * has called it since 1.78). Never shipped: the office's Windows has the real DLL.
 * Built by .ci/windows with x86_64-w64-mingw32-gcc. */
#include <windows.h>

typedef BOOLEAN (WINAPI *RtlGenRandomFn)(PVOID, ULONG);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static RtlGenRandomFn gen = NULL;
    if (!gen) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        gen = (RtlGenRandomFn)GetProcAddress(advapi, "SystemFunction036");
    }
    while (len > 0) {
        ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!gen || !gen(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
