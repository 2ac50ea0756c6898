

# --- q4:rows|cols (lossy): absmax int4 codes + bf16 scales
TRANSFORMS["q4"] = (lambda arg, bits, a: quant_enc(arg, bits, a, 4),
                    lambda arg, bits, r, c, p: quant_dec(arg, bits, r, c, p, 4))
LOSSY.add("q4")
