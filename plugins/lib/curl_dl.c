/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcurl's functions by dlopen(3) and dlsym(3) (curl_dl.h says why).
 *
 * RTLD_LOCAL: libcurl's symbols (and OpenSSL's under it) stay out of the
 * global namespace, where another plugin's copy of them could be bound.
 * RTLD_NODELETE, and no dlclose(): libcurl and its TLS library keep
 * process-global state (OpenSSL's atexit handler, thread keys) whose code
 * must still be mapped at exit, even after redfish.so itself is unloaded;
 * the same reason plugins/ipmi links with -z nodelete.
 *
 * The table of the process is the one piece of state in a file static here:
 * a library is loaded once per process, whatever the number of probes.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "curl_dl.h"
#include "dl_words.h"
#include "strbuf.h"

/* One function of the table: its name in libcurl and where it goes. */
struct symbol {
	const char *name;
	size_t offset;
};

#define SYM(field, name)                                                                           \
	{                                                                                          \
		name, offsetof(struct curl_dl, field)                                              \
	}
static const struct symbol symbols[] = {
	SYM(global_init, "curl_global_init"),
	SYM(global_cleanup, "curl_global_cleanup"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_reset, "curl_easy_reset"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(multi_init, "curl_multi_init"),
	SYM(multi_cleanup, "curl_multi_cleanup"),
	SYM(multi_setopt, "curl_multi_setopt"),
	SYM(multi_add_handle, "curl_multi_add_handle"),
	SYM(multi_remove_handle, "curl_multi_remove_handle"),
	SYM(multi_socket_action, "curl_multi_socket_action"),
	SYM(multi_info_read, "curl_multi_info_read"),
};
#undef SYM

int curl_dl_load(const char *soname, struct curl_dl *ret, char *why, size_t why_len)
{
	struct curl_dl t;
	char words[256];
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);

	if (!lib) {
		dl_error_words(soname, words, sizeof(words));
		snprintf(why, why_len, "%s not found: %s (needed for HTTP and SMTP)", soname,
			 words);
		return -ENOENT;
	}
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *f;

		dlerror();
		f = dlsym(lib, symbols[i].name);
		if (!f) {
			snprintf(why, why_len, "%s has no %s: not the libcurl this was built for",
				 soname, symbols[i].name);
			dlclose(lib); /* NODELETE: it stays mapped, its count is ours no more */
			return -ELIBBAD;
		}
		/* POSIX dlsym(): a data pointer that may be converted to a function pointer. */
		memcpy((char *)&t + symbols[i].offset, &f, sizeof(f));
	}
	*ret = t;
	return 0;
}

const struct curl_dl *curl_dl_get(char *why, size_t why_len)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct curl_dl table;
	static bool loaded;
	const struct curl_dl *r = &table;

	pthread_mutex_lock(&lock);
	if (!loaded)
		loaded = curl_dl_load(CURL_DL_SONAME, &table, why, why_len) == 0;
	if (!loaded)
		r = NULL;
	pthread_mutex_unlock(&lock);
	return r;
}
