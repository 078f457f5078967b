import json, math, re, hashlib
print(json.dumps({"a": [1, 2, {"b": None}], "c": "d"}, sort_keys=True))
print(json.loads('{"x": [1.5, true]}'))
print(math.factorial(30), round(math.sqrt(2), 12), math.gcd(84, 36))
print(re.sub(r"(\w+)@(\w+)", r"\2 at \1", "alice@example bob@test"))
print(re.findall(r"\d+", "a1b22c333"))
print(hashlib.sha256(b"ringfence").hexdigest())
print(hashlib.md5(b"ringfence").hexdigest())
