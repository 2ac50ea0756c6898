

# --- q8:rows|cols (lossy): absmax int8 codes + bf16 scales
TRANSFORMS["q8"] = (lambda arg, bits, a: quant_enc(arg, bits, a, 8),
                    lambda arg, bits, r, c, p: quant_dec(arg, bits, r, c, p, 8))
LOSSY.add("q8")
