"""Runs a project's cnn_verify_weights() against the kernels it loads.

usage: verify_kernels_check.py PROJECT_DIR CONFORMANCE_DIR [--izer-decode]

tornado-conform gives the kernel memory cnn_load_weights() leaves (16-byte
slot -> 9 bytes). This replays what cnn_verify_weights() reads: for each
express record of KERNELS it turns the record's address back into the slot
address (with the mask cnn.c uses, or with --izer-decode the izer's, which
keeps only a quarter of those column bits) and compares the four words each 72-bit word
reads back as with the record's bytes. Prints the reads and mismatches;
exits 1 on a mismatch.
"""
import json
import os
import re
import subprocess
import sys


def main(argv):
    project, conf = argv[1], argv[2]
    izer_decode = "--izer-decode" in argv
    dump = subprocess.run([os.path.join(conf, "tornado-conform"), "--dump", project, "--json"],
                          capture_output=True, text=True, check=True)
    state = json.loads(dump.stdout)
    words = {int(a, 16): bytes.fromhex(v) for a, v in state["kernels"]["words"].items()}
    weights = open(os.path.join(project, "weights.h")).read()
    table = re.search(r"#define KERNELS \{(.*?)\}", weights, re.S).group(1)
    nums = [int(x, 16) for x in re.findall(r"0x[0-9a-fA-F]+", table)]
    cnn = open(os.path.join(project, "cnn.c")).read()
    low = int(re.search(r"\(\(a & ~(0x[0-9a-fA-F]+)u\)", cnn).group(1), 16)
    if izer_decode:
        # The izer keeps the lowest quarter of these bits.
        low = (low + 1) // 4 - 1

    def read(addr):
        slot = words.get(addr & ~15, bytes(9))
        return [slot[0], int.from_bytes(slot[1:5], "big"), int.from_bytes(slot[5:9], "big"),
                0][(addr & 15) // 4]

    i = reads = bad = 0
    while nums[i] != 0:
        address, count = nums[i], nums[i + 1]
        i += 2
        stream = b"".join(w.to_bytes(4, "big") for w in nums[i:i + count])
        i += count
        dst = (address & ~low) | ((address & low) << 2)
        for k in range(count * 4 // 9):
            b = stream[9 * k:9 * k + 9]
            for expect in (b[0], int.from_bytes(b[1:5], "big"), int.from_bytes(b[5:9], "big"), 0):
                reads += 1
                bad += read(dst) != expect
                dst += 4
    print(f"{reads} reads, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
