"""Checks a memory-map SVG: well-formed XML, an <svg> root, and prints one
line per drawn rectangle class with its count and the titles' first words."""
import collections
import sys
import xml.dom.minidom

doc = xml.dom.minidom.parse(sys.argv[1])
root = doc.documentElement
assert root.tagName == "svg", root.tagName
counts = collections.Counter()
titles = collections.defaultdict(list)
for rect in doc.getElementsByTagName("rect"):
    cls = rect.getAttribute("class")
    if not cls:
        continue
    counts[cls] += 1
    t = rect.getElementsByTagName("title")
    if t:
        titles[cls].append(t[0].firstChild.data)
for cls in sorted(counts):
    print(cls, counts[cls])
    for title in sorted(set(titles[cls]))[:200]:
        print("  " + title)
