#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/elf/mkbad.py: write malformed ELF files (one defect each) for `ringfence run`.

usage: mkbad.py OUTDIR

Builds, from scratch, a small valid static x86-64 ELF executable (ELF64
header, an R+X PT_LOAD text segment holding the headers and
`mov $60,%eax; xor %edi,%edi; syscall`, an RW PT_LOAD data segment with a
.bss tail), then derives each case from it by changing one thing. Writes
the files into OUTDIR and a manifest OUTDIR/cases.txt that
check-bad-elves.sh reads: one case a line, tab-separated

    NAME  STATUS  SUBSTRING  DESCRIPTION

NAME is the file (relative to OUTDIR) given to `ringfence run --`,
STATUS the exit status expected of the launcher, SUBSTRING a string its
one-line message on stderr must contain. Status 125 means "passed every
check of the loader and reached the VM backend": on a host without
/dev/kvm that fails, with a message about /dev/kvm.

Python 3 standard library only.
"""
import os
import stat
import struct
import sys

# ---------------------------------------------------------------- ELF constants
ELFCLASS32, ELFCLASS64 = 1, 2
ELFDATA2LSB, ELFDATA2MSB = 1, 2
ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
EM_X86_64, EM_AARCH64 = 62, 183
PT_LOAD, PT_INTERP, PT_NOTE, PT_PHDR = 1, 3, 4, 6
PF_X, PF_W, PF_R = 1, 2, 4
PN_XNUM = 0xFFFF

EHDR_FMT = "<16sHHIQQQIHHHHHH"  # Elf64_Ehdr, 64 bytes
PHDR_FMT = "<IIQQQQQQ"  # Elf64_Phdr, 56 bytes
EHDR_SIZE = struct.calcsize(EHDR_FMT)
PHDR_SIZE = struct.calcsize(PHDR_FMT)
assert EHDR_SIZE == 64 and PHDR_SIZE == 56

# ---------------------------------------------------------------- the valid file's layout
PAGE = 0x1000
BASE = 0x400000  # text: vaddr of file offset 0
PHOFF = EHDR_SIZE  # program headers right after the ELF header
INTERP_OFF = 0x200  # room for 8 program headers before it
CODE_OFF = 0x280
# mov $60,%eax ; xor %edi,%edi ; syscall   (exit(0))
CODE = bytes.fromhex("b83c000000" "31ff" "0f05")
DATA_OFF = 0x1000
DATA_VA = 0x601000
DATA = b"ringfence-data\0\0"
DATA_MEMSZ = 0x2000  # a .bss tail after the file bytes
MISSING_INTERP = "/nonexistent-ringfence/ld-missing.so.2"


class Elf:
    """A small ELF64 image, described field by field; render() lays it out."""

    def __init__(self):
        self.ident = bytearray(b"\x7fELF" + bytes([ELFCLASS64, ELFDATA2LSB, 1, 0]) + bytes(8))
        self.e_type = ET_EXEC
        self.e_machine = EM_X86_64
        self.e_version = 1
        self.e_entry = BASE + CODE_OFF
        self.e_phoff = PHOFF
        self.e_shoff = 0
        self.e_flags = 0
        self.e_ehsize = EHDR_SIZE
        self.e_phentsize = PHDR_SIZE
        self.e_phnum = None  # None: len(self.phdrs)
        self.e_shentsize = 64
        self.e_shnum = 0
        self.e_shstrndx = 0
        self.interp = None  # bytes written at INTERP_OFF
        self.text = dict(type=PT_LOAD, flags=PF_R | PF_X, offset=0, vaddr=BASE, filesz=CODE_OFF + len(CODE),
                         memsz=CODE_OFF + len(CODE), align=PAGE)
        self.data = dict(type=PT_LOAD, flags=PF_R | PF_W, offset=DATA_OFF, vaddr=DATA_VA, filesz=len(DATA),
                         memsz=DATA_MEMSZ, align=PAGE)
        self.phdrs = [self.text, self.data]
        self.size = DATA_OFF + len(DATA)  # file size (truncates or pads)

    def add_interp(self, name, filesz=None, first=True):
        """Add a PT_INTERP for name (bytes, written as given) at INTERP_OFF."""
        self.interp = name
        ph = dict(type=PT_INTERP, flags=PF_R, offset=INTERP_OFF, vaddr=BASE + INTERP_OFF,
                  filesz=len(name) if filesz is None else filesz, memsz=len(name), align=1)
        if first:
            self.phdrs.insert(0, ph)
        else:
            self.phdrs.append(ph)
        return ph

    def render(self):
        assert PHOFF + PHDR_SIZE * len(self.phdrs) <= INTERP_OFF
        buf = bytearray(max(self.size, DATA_OFF + len(DATA)))
        phnum = len(self.phdrs) if self.e_phnum is None else self.e_phnum
        buf[0:EHDR_SIZE] = struct.pack(EHDR_FMT, bytes(self.ident), self.e_type, self.e_machine, self.e_version,
                                       self.e_entry, self.e_phoff, self.e_shoff, self.e_flags, self.e_ehsize,
                                       self.e_phentsize, phnum, self.e_shentsize, self.e_shnum,
                                       self.e_shstrndx)
        for i, ph in enumerate(self.phdrs):
            buf[PHOFF + i * PHDR_SIZE:PHOFF + (i + 1) * PHDR_SIZE] = struct.pack(
                PHDR_FMT, ph["type"], ph["flags"], ph["offset"], ph["vaddr"], ph["vaddr"], ph["filesz"],
                ph["memsz"], ph["align"])
        if self.interp is not None:
            assert INTERP_OFF + len(self.interp) <= CODE_OFF
            buf[INTERP_OFF:INTERP_OFF + len(self.interp)] = self.interp
        buf[CODE_OFF:CODE_OFF + len(CODE)] = CODE
        buf[DATA_OFF:DATA_OFF + len(DATA)] = DATA
        return bytes(buf[:self.size])


# ---------------------------------------------------------------- the cases
# Each maker takes the valid Elf (fresh), changes one thing, and returns it;
# or returns bytes (written as they are).
CASES = []  # (name, status, substring, description, maker, mode); maker None: special


def case(name, status, substring, description, mode=0o755):
    def reg(fn):
        CASES.append((name, status, substring, description, fn, mode))
        return fn
    return reg


def special(name, status, substring, description):
    CASES.append((name, status, substring, description, None, None))


@case("valid", 125, "kvm", "the valid static executable: passes the loader, reaches the backend")
def _(e):
    return e


@case("valid-pie", 125, "kvm", "the valid file as ET_DYN (position-independent): passes the loader")
def _(e):
    e.e_type = ET_DYN
    return e


@case("not-elf", 126, "not an ELF file", "a text file with the x bit")
def _(e):
    return b"this is not a program\njust some text\n"


@case("empty", 126, "empty file", "an empty file with the x bit")
def _(e):
    return b""


@case("short-magic", 126, "not an ELF file", "3 bytes of the ELF magic")
def _(e):
    return e.render()[:3]


@case("truncated-ehdr", 126, "truncated ELF header", "the first 20 bytes of the valid file")
def _(e):
    return e.render()[:20]


@case("truncated-ident", 126, "truncated ELF identification", "the first 10 bytes: the magic and part of e_ident")
def _(e):
    return e.render()[:10]


@case("class32", 126, "32-bit", "EI_CLASS = ELFCLASS32")
def _(e):
    e.ident[4] = ELFCLASS32
    return e


@case("class-none", 126, "unknown class 0", "EI_CLASS = ELFCLASSNONE")
def _(e):
    e.ident[4] = 0
    return e


@case("big-endian", 126, "big-endian", "EI_DATA = ELFDATA2MSB")
def _(e):
    e.ident[5] = ELFDATA2MSB
    return e


@case("bad-ident-version", 126, "version 0", "EI_VERSION = 0")
def _(e):
    e.ident[6] = 0
    return e


@case("machine-aarch64", 126, "machine 183", "e_machine = EM_AARCH64")
def _(e):
    e.e_machine = EM_AARCH64
    return e


@case("type-rel", 126, "ELF type 1", "e_type = ET_REL (a relocatable object)")
def _(e):
    e.e_type = ET_REL
    return e


@case("bad-phentsize", 126, "program header size", "e_phentsize = 32")
def _(e):
    e.e_phentsize = 32
    return e


@case("phnum-zero", 126, "program header count", "e_phnum = 0")
def _(e):
    e.e_phnum = 0
    return e


@case("phnum-xnum", 126, "program header count (65535", "e_phnum = PN_XNUM with no section header to hold the count")
def _(e):
    e.e_phnum = PN_XNUM
    return e


@case("data-encoding-none", 126, "unknown data encoding 0", "EI_DATA = ELFDATANONE")
def _(e):
    e.ident[5] = 0
    return e


@case("phoff-zero", 126, "overlap the ELF header", "e_phoff = 0: the table would lie over the ELF header")
def _(e):
    e.e_phoff = 0
    return e


@case("phdrs-past-eof", 126, "program headers run past the end of the file", "e_phoff beyond the end of the file")
def _(e):
    e.e_phoff = e.size + 0x100
    return e


@case("phdrs-straddle-eof", 126, "program headers run past the end of the file",
      "the program header table starts inside the file and ends past it")
def _(e):
    e.e_phoff = e.size - PHDR_SIZE
    return e


@case("phoff-huge", 126, "program headers run past the end of the file", "e_phoff = 2^64 - 8 (wraps around)")
def _(e):
    e.e_phoff = (1 << 64) - 8
    return e


@case("segment-past-eof", 126, "segment 1 runs past the end of the file",
      "a truncated file: the data segment's file bytes are cut")
def _(e):
    e.size = DATA_OFF + 4
    return e


@case("segment-offset-huge", 126, "segment 1 runs past the end of the file",
      "p_offset near 2^64 (offset + filesz wraps)")
def _(e):
    e.data["offset"] = (1 << 64) - PAGE
    e.data["vaddr"] = DATA_VA  # still congruent modulo the page size
    return e


@case("filesz-gt-memsz", 126, "file size larger than memory size", "data p_filesz > p_memsz")
def _(e):
    e.data["memsz"] = 4
    return e


@case("wx-segment", 126, "writable and executable", "the data segment is RWX")
def _(e):
    e.data["flags"] = PF_R | PF_W | PF_X
    return e


@case("overlap", 126, "overlaps", "the data segment is mapped over the text segment's page")
def _(e):
    e.data["vaddr"] = BASE  # congruent with DATA_OFF modulo the page size
    return e


@case("out-of-order", 126, "out of order", "the data segment's header comes before the text segment's")
def _(e):
    e.phdrs.reverse()
    return e


@case("misaligned", 126, "modulo the page size", "data p_vaddr and p_offset disagree modulo 4096")
def _(e):
    e.data["vaddr"] = DATA_VA + 8
    return e


@case("below-min-addr", 126, "lowest mappable address", "the text segment at 0x1000 (below 0x10000)")
def _(e):
    e.text["vaddr"] = 0x1000
    e.e_entry = 0x1000 + CODE_OFF
    return e


@case("null-page", 126, "lowest mappable address", "the text segment at address 0")
def _(e):
    e.text["vaddr"] = 0
    e.e_entry = CODE_OFF
    return e


@case("kernel-address", 126, "outside user space", "the data segment in the kernel half")
def _(e):
    e.data["vaddr"] = 0xFFFF800000000000 + DATA_OFF
    return e


@case("address-wraps", 126, "outside user space", "data p_vaddr + p_memsz wraps around 2^64")
def _(e):
    e.data["vaddr"] = (1 << 64) - PAGE
    e.data["offset"] = DATA_OFF
    e.data["memsz"] = 2 * PAGE
    return e


@case("no-load", 126, "no loadable segment", "both PT_LOADs turned into PT_NOTE")
def _(e):
    e.text["type"] = PT_NOTE
    e.data["type"] = PT_NOTE
    return e


@case("entry-in-data", 126, "not in an executable segment", "e_entry points into the RW data segment")
def _(e):
    e.e_entry = DATA_VA
    return e


@case("entry-unmapped", 126, "not in an executable segment", "e_entry points to no segment")
def _(e):
    e.e_entry = 0x12345000
    return e


@case("phdrs-not-loaded", 126, "program headers are not in a loaded segment",
      "the text segment starts after the program headers (no PT_PHDR)")
def _(e):
    e.text["offset"] = CODE_OFF
    e.text["vaddr"] = BASE + CODE_OFF
    e.text["filesz"] = e.text["memsz"] = len(CODE)
    return e


@case("phdr-wraps", 126, "program headers are not in a loaded segment",
      "ET_DYN at address 0 whose PT_PHDR address is 2^64 - 56 (offset + size wraps)")
def _(e):
    e.e_type = ET_DYN
    e.text["vaddr"] = 0
    e.e_entry = CODE_OFF
    e.data["vaddr"] = DATA_VA - BASE
    e.phdrs.insert(0, dict(type=PT_PHDR, flags=PF_R, offset=PHOFF, vaddr=(1 << 64) - PHDR_SIZE,
                           filesz=3 * PHDR_SIZE, memsz=3 * PHDR_SIZE, align=8))
    return e


@case("valid-pie-phdr", 125, "kvm", "the valid-pie file at address 0 with a correct PT_PHDR: passes the loader")
def _(e):
    e.e_type = ET_DYN
    e.text["vaddr"] = 0
    e.e_entry = CODE_OFF
    e.data["vaddr"] = DATA_VA - BASE
    e.phdrs.insert(0, dict(type=PT_PHDR, flags=PF_R, offset=PHOFF, vaddr=PHOFF,
                           filesz=3 * PHDR_SIZE, memsz=3 * PHDR_SIZE, align=8))
    return e


@case("section-headers-garbage", 125, "kvm",
      "e_shoff past the end of the file, e_shnum 5: execve ignores section headers, so must the loader")
def _(e):
    e.e_shoff = 0x100000
    e.e_shnum = 5
    e.e_shstrndx = 4
    return e


@case("interp-missing", 127, MISSING_INTERP, "PT_INTERP names an interpreter that does not exist")
def _(e):
    e.add_interp(MISSING_INTERP.encode() + b"\0")
    return e


@case("interp-no-nul", 126, "NUL-terminated", "PT_INTERP's name has no terminating NUL")
def _(e):
    e.add_interp(MISSING_INTERP.encode())
    return e


@case("interp-nul-inside", 126, "NUL-terminated", "PT_INTERP's name has a NUL in the middle")
def _(e):
    e.add_interp(b"/lib64/ld\0linux-x86-64.so.2\0")
    return e


@case("interp-empty", 126, "bad PT_INTERP", "PT_INTERP is one NUL byte")
def _(e):
    e.add_interp(b"\0")
    return e


@case("interp-past-eof", 126, "bad PT_INTERP", "PT_INTERP's bytes lie past the end of the file")
def _(e):
    ph = e.add_interp(MISSING_INTERP.encode() + b"\0")
    ph["offset"] = e.size + 0x100
    return e


@case("interp-twice", 126, "more than one PT_INTERP", "two PT_INTERP headers")
def _(e):
    e.add_interp(MISSING_INTERP.encode() + b"\0")
    e.add_interp(MISSING_INTERP.encode() + b"\0", first=False)
    return e


def interp_is(e, outdir, target):
    e.add_interp(os.path.join(os.path.abspath(outdir), target).encode() + b"\0")
    return e


@case("interp-not-elf", 126, "interpreter", "PT_INTERP names a text file (not-elf)")
def _(e, outdir):
    return interp_is(e, outdir, "not-elf")


@case("interp-not-pie", 126, "not a usable ELF interpreter",
      "PT_INTERP names the valid ET_EXEC file (an interpreter must be ET_DYN)")
def _(e, outdir):
    return interp_is(e, outdir, "valid")


@case("interp-dir", 126, "is a directory", "PT_INTERP names a directory")
def _(e, outdir):
    return interp_is(e, outdir, "directory")


@case("interp-fifo", 126, "not a regular file",
      "PT_INTERP names a FIFO (opening it for reading would block until a writer comes)")
def _(e, outdir):
    return interp_is(e, outdir, "fifo")


@case("not-executable", 126, "not executable", "the valid file, mode 644", mode=0o644)
def _(e):
    return e


@case("script-missing-interp", 127, "/nonexistent-ringfence/sh", "a #! script whose interpreter does not exist")
def _(e):
    return b"#!/nonexistent-ringfence/sh -e\necho hello\n"


@case("script-no-interp", 126, "#!", "a #! line with no interpreter name")
def _(e):
    return b"#!   \necho hello\n"


@case("script-not-executable", 126, "ermission denied", "a #! script to the valid file, mode 644", mode=0o644)
def _(e, outdir):
    return b"#!" + os.path.join(os.path.abspath(outdir), "valid").encode() + b"\n"


@case("script-bad-elf", 126, "interpreter", "a #! script whose interpreter is a malformed ELF (wx-segment)")
def _(e, outdir):
    return b"#!" + os.path.join(os.path.abspath(outdir), "wx-segment").encode() + b"\n"


@case("script-valid", 125, "kvm", "a #! script whose interpreter is the valid file: reaches the backend")
def _(e, outdir):
    return b"#!" + os.path.join(os.path.abspath(outdir), "valid").encode() + b" -x\n"


special("directory", 126, "is a directory", "a directory")
special("fifo", None, None, "a FIFO, mode 755: only the target of interp-fifo, not run itself (sb_exec's \"#!\" probe "
        "opens it before the loader sees it, and blocks)")
special("missing", 127, "No such file or directory", "a path that does not exist")
special("dev-null", 126, "not a regular file", "a symbolic link to /dev/null (a character device)")
special("symlink-loop", 126, "symbolic links", "a symbolic link to itself")


def remove(path):
    """Remove what an earlier run left at path (a file, FIFO, link or empty directory)."""
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: mkbad.py OUTDIR\n")
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    lines = ["# generated by tests/elf/mkbad.py: NAME<TAB>STATUS<TAB>SUBSTRING<TAB>DESCRIPTION\n"]
    names = set()
    for name, status, substring, description, maker, mode in CASES:
        assert name not in names and (status is None or ("\t" not in substring and substring))
        names.add(name)
        path = os.path.join(out, name)
        remove(path)
        if maker is not None:
            e = Elf()
            r = maker(e, out) if maker.__code__.co_argcount == 2 else maker(e)
            blob = r if isinstance(r, bytes) else r.render()
            with open(path, "wb") as f:
                f.write(blob)
            os.chmod(path, mode)
        elif name == "directory":
            os.mkdir(path, 0o755)
        elif name == "fifo":
            os.mkfifo(path, 0o755)
            os.chmod(path, 0o755)
            continue  # no case line: see above
        elif name == "missing":
            pass
        elif name == "dev-null":
            os.symlink("/dev/null", path)
        elif name == "symlink-loop":
            os.symlink(name, path)
        else:
            raise AssertionError(name)
        lines.append("%s\t%d\t%s\t%s\n" % (name, status, substring, description))
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.writelines(lines)
    print("mkbad.py: %d cases in %s" % (len(lines) - 1, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
