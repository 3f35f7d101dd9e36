PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: tour test install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -e '.[all,test]'
	touch $(STAMP)

install: $(STAMP)

tour: $(STAMP)
	$(BIN)/deepmine tour --out tour

test: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[all,bench]'
	$(BIN)/python benchmarks/bench_mlp.py --threads 1

clean:
	rm -rf $(VENV) tour
