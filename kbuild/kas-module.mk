# Aliases for an out-of-tree module built against distribution headers (a
# kernel without kasd's kbuild patches), from the installed kernel's census.
#
# In the module's Makefile, after the usual kbuild lines:
#
#   KDIR ?= /lib/modules/$(shell uname -r)/build
#   modules:
#   	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
#   include /path/to/kasd/kbuild/kas-module.mk
#
# then `make modules kas-aliases`. Every .ko of the build's modules.order gets
# an alias symbol per duplicated name, in place, with the census of the
# kernel it is built for (System.map from the -dbg package or /proc/kallsyms,
# plus every installed .ko). Run it before signing the module: aliases change
# the file. KAS: the kas binary (default: kas in PATH); KAS_KERNEL: the
# release (default: the running kernel's).
KAS ?= kas
KAS_KERNEL ?= $(shell uname -r)

.PHONY: kas-aliases
kas-aliases:
	@command -v $(KAS) >/dev/null || { echo "kas-module.mk: $(KAS) not found (make KAS=/path/to/kas)" >&2; exit 1; }
	@test -f $(CURDIR)/modules.order || { echo "kas-module.mk: no modules.order in $(CURDIR): build the modules first" >&2; exit 1; }
	@for ko in $$(sed 's/\.o$$/.ko/' $(CURDIR)/modules.order); do \
		case $$ko in /*) ;; *) ko=$(CURDIR)/$$ko ;; esac; \
		echo "  KAS     $$ko"; \
		$(KAS) module $$ko --kernel $(KAS_KERNEL) --in-place -v || exit 1; \
	done
