"""vkae's Python module on lavapipe, run by ctest (tests/python/CMakeLists.txt) with the validation layers on:
a validation message lands on stderr, and every test that runs the device checks stderr stays empty.

Environment: PYTHONPATH holds the built module, VKAE_BINARY the CLI, VKAE_SOURCE_DIR the source tree.
MNIST comes from the cache the test command fills (scripts/fetch-mnist.sh)."""
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import vkae

VKAE = os.environ["VKAE_BINARY"]
SOURCE = os.environ["VKAE_SOURCE_DIR"]


def run_cli(*args):
    r = subprocess.run([VKAE, *map(str, args)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    return r.stdout


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, _) = vkae.load_data("mnist")
    return {"train": x_train, "labels": y_train, "test": x_test,
            "x": (x_train[:256] / 255).astype(np.float32), "val": (x_test[:128] / 255).astype(np.float32)}


@pytest.fixture(scope="module")
def trained(mnist):
    """The tutorial's model, 2 epochs of 256 images with its own noise, validated on 128 test images."""
    m = vkae.Model("dae")
    h = m.fit(mnist["x"], epochs=2, batch_size=128, noise=0.5, validation_data=mnist["val"], verbose=0)
    return m, h


def test_load_data_gives_what_keras_does(mnist):
    assert mnist["train"].shape == (60000, 28, 28) and mnist["train"].dtype == np.uint8
    assert mnist["labels"].shape == (60000,) and mnist["labels"].dtype == np.uint8
    assert mnist["test"].shape == (10000, 28, 28)
    assert set(np.unique(mnist["labels"])) == set(range(10))


def test_devices_name_the_one_chosen():
    devices = vkae.devices()
    assert devices and sum(d["chosen"] for d in devices) == 1
    chosen = next(d for d in devices if d["chosen"])
    assert chosen["suitable"] and chosen["name"]


def test_fit_returns_the_history_per_epoch(trained, capfd):
    m, h = trained
    assert list(h.history) == ["loss", "val_loss"]
    assert len(h.history["loss"]) == len(h.history["val_loss"]) == 2 and h.epoch == [0, 1]
    assert all(np.isfinite(h.history["loss"])) and h.history["loss"][1] < h.history["loss"][0]
    assert h.params == {"epochs": 2, "steps": 2, "batch_size": 128}
    assert m.trained and m.epochs_done == 2 and m.input_shape == (1, 28, 28)
    assert "conv2d" in m.summary() and "total params: 28353" in m.summary()


def test_evaluate_is_the_fits_last_val_loss(trained, mnist, capfd):
    m, h = trained
    assert m.evaluate(mnist["val"]) == pytest.approx(h.history["val_loss"][-1], rel=1e-6)
    assert capfd.readouterr().err == ""


def test_predict_keeps_the_layout_it_was_given(trained, mnist, capfd):
    m, _ = trained
    x = mnist["val"][:5]
    nhw = m.predict(x)
    assert nhw.shape == (5, 28, 28) and nhw.dtype == np.float32
    assert np.all((nhw >= 0) & (nhw <= 1))
    nhwc = m.predict(x.reshape(5, 28, 28, 1))
    nchw = m.predict(x.reshape(5, 1, 28, 28), channels_first=True)
    assert nhwc.shape == (5, 28, 28, 1) and nchw.shape == (5, 1, 28, 28)
    np.testing.assert_array_equal(nhwc.reshape(5, 28, 28), nhw)
    np.testing.assert_array_equal(nchw.reshape(5, 28, 28), nhw)
    # uint8 images are k / 255; batches are independent of batch_size.
    np.testing.assert_array_equal(m.predict(mnist["test"][:5]), nhw)
    np.testing.assert_array_equal(m.predict(x, batch_size=2), nhw)
    assert capfd.readouterr().err == ""


def test_encode_then_decode_is_predict(trained, mnist):
    m, _ = trained
    x = mnist["val"][:7]
    z = m.encode(x)
    assert z.shape == (7, m.latent_size) and z.dtype == np.float32 and m.latent_size == 32 * 7 * 7
    np.testing.assert_array_equal(m.decode(z), m.predict(x))
    with pytest.raises(ValueError, match="z: shape \\(7, 3\\): expected float32 codes of shape \\(N, 1568\\)"):
        m.decode(np.zeros((7, 3), np.float32))
    with pytest.raises(ValueError, match="z: dtype float64"):
        m.decode(z.astype(np.float64))
    assert m.decode(z, channels_first=True).shape == (7, 1, 28, 28)


@pytest.mark.parametrize("x, words", [
    (np.zeros((4, 28, 28), np.float64), ["x", "float64", "float32"]),
    (np.zeros((4, 28, 28), ">f4"), ["x", ">f4", "float32"]),  # byte-swapped: not what the device reads
    (np.zeros((4, 32, 32), np.float32), ["x", "28", "32"]),
    (np.zeros((4, 28, 28, 2), np.float32), ["x", "channels"]),
    (np.zeros((28, 28), np.float32), ["x"]),
    (np.zeros((0, 28, 28), np.float32), ["x"]),
    (np.full((2, 28, 28), np.nan, np.float32), ["x", "NaN"]),
    ("images", ["x"]),
])
def test_a_bad_array_is_a_value_error_naming_it(trained, x, words):
    m, _ = trained
    with pytest.raises(ValueError) as e:
        m.predict(x)
    message = str(e.value)
    assert "\n" not in message
    for w in words:
        assert w in message


def test_fit_refuses_what_it_cannot_train_on(mnist):
    m = vkae.Model("dae")
    with pytest.raises(ValueError, match="x.*0, 1"):
        m.fit(mnist["x"] * 2, verbose=0)
    with pytest.raises(ValueError, match="noise="):
        m.fit(mnist["x"], 1 - mnist["x"], verbose=0)
    with pytest.raises(ValueError, match="epochs"):
        m.fit(mnist["x"], epochs=0, verbose=0)
    with pytest.raises(RuntimeError, match="no weights yet"):
        m.predict(mnist["x"])
    assert not m.trained


def test_a_later_fit_continues_the_run_with_its_settings(trained, mnist):
    m, _ = trained
    with pytest.raises(ValueError, match="batch_size=64.*batch_size=128"):
        m.fit(mnist["x"], batch_size=64, noise=0.5, verbose=0)
    with pytest.raises(ValueError, match="noise"):
        m.fit(mnist["x"], verbose=0)
    assert m.epochs_done == 2


def test_a_spec_dict_is_a_model(mnist, tmp_path):
    spec = {"name": "tiny", "input": [1, 28, 28], "loss": "bce", "denoising": False,
            "encoder": [{"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"}],
            "decoder": [{"type": "dense", "units": 784, "activation": "sigmoid"},
                        {"type": "reshape", "shape": [1, 28, 28]}]}
    m = vkae.Model(spec)
    assert m.name == "tiny" and "dense" in m.summary()
    h = m.fit(mnist["x"], batch_size=64, verbose=0, tensorboard=tmp_path / "tb")
    assert list(h.history) == ["loss"]
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "tb" / "train"))
    assert m.encode(mnist["val"][:3]).shape == (3, 16)
    with pytest.raises(ValueError, match="spec"):
        vkae.Model({"name": "broken", "input": [1, 28, 28]})


def test_save_writes_the_clis_checkpoint(trained, mnist, tmp_path):
    m, h = trained
    path = tmp_path / "model.safetensors"
    m.save(str(path))
    report = json.loads(run_cli("eval", path, "--dataset", "mnist", "--limit", 128, "--noise", 0.5, "--json"))
    assert report["loss"] == pytest.approx(h.history["val_loss"][-1], rel=1e-6)
    again = vkae.load(str(path))
    assert again.trained and again.epochs_done == 2
    np.testing.assert_array_equal(again.predict(mnist["val"][:4]), m.predict(mnist["val"][:4]))


def test_load_reads_a_checkpoint_the_cli_wrote_and_fits_on(mnist, tmp_path):
    out = tmp_path / "run"
    run_cli("train", "mnist", "--model", "dense", "--limit", 256, "--batch", 128, "--val-limit", 128,
            "--epochs", 1, "--no-tensorboard", "--out", out)
    rows = [json.loads(line) for line in open(out / "metrics.jsonl")]
    cli_val = next(r["val_loss"] for r in rows if r["type"] == "epoch")
    m = vkae.load(str(out / "checkpoint.safetensors"))
    assert m.name == "dense" and m.epochs_done == 1
    assert m.evaluate(mnist["val"], noise=0.5) == pytest.approx(cli_val, rel=1e-6)
    h = m.fit(mnist["x"], noise=0.5, verbose=0)  # the CLI's run, one epoch on
    assert h.epoch == [1] and m.epochs_done == 2


def test_ctrl_c_stops_fit_and_keeps_the_weights(tmp_path):
    script = tmp_path / "interrupted.py"
    script.write_text(
        "import numpy as np, sys, vkae\n"
        "(x, _), _ = vkae.load_data('mnist')\n"
        "m = vkae.Model('dae')\n"
        "try:\n"
        "    m.fit((x[:8192] / 255).astype(np.float32), epochs=20, verbose=1)\n"
        "except KeyboardInterrupt:\n"
        "    print('\\ninterrupted', m.trained, m.predict(x[:2]).shape, flush=True)\n"
        "    sys.exit(3)\n")
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    while "/64 [" not in seen:  # the first step's progress bar: training has begun (64 steps an epoch)
        c = p.stdout.read(1)
        assert c, f"fit ended before its first step: {seen!r} {p.stderr.read()!r}"
        seen += c
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 3, err
    assert out.splitlines()[-1] == "interrupted True (2, 28, 28)" and err == ""


def test_the_tutorial_matches_the_cli(tmp_path):
    tutorial = os.path.join(SOURCE, "examples", "python", "denoising_autoencoder.py")
    out = tmp_path / "tutorial"
    r = subprocess.run([sys.executable, tutorial, "--epochs", "1", "--limit", "256", "--val-limit", "128",
                        "--verbose", "2", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name in ("loss.png", "digits.png", "model.safetensors"):
        assert (out / name).stat().st_size > 0
    line = next(line for line in r.stdout.splitlines() if line.startswith("test loss"))
    tutorial_loss = float(line.split()[2])
    cli = tmp_path / "cli"
    run_cli("train", "mnist", "--noise", 0.5, "--limit", 256, "--val-limit", 128, "--epochs", 1,
            "--no-tensorboard", "--out", cli)
    rows = [json.loads(line) for line in open(cli / "metrics.jsonl")]
    cli_val = next(r["val_loss"] for r in rows if r["type"] == "epoch")
    assert tutorial_loss == pytest.approx(cli_val, abs=5e-5)  # the tutorial prints 4 decimals


def test_validation_split_holds_out_the_last_images_as_keras(mnist):
    x = mnist["x"][:200]
    split = vkae.Model("dense").fit(x, batch_size=40, validation_split=0.2, verbose=0)
    given = vkae.Model("dense").fit(x[:160], batch_size=40, validation_data=x[160:], verbose=0)
    assert split.history == given.history and split.params["steps"] == 4
    with pytest.raises(ValueError, match="validation_split=1: expected a fraction"):
        vkae.Model("dense").fit(x, validation_split=1.0, verbose=0)
    with pytest.raises(ValueError, match="one of the two"):
        vkae.Model("dense").fit(x, validation_split=0.5, validation_data=x, verbose=0)


def test_colour_images_in_either_layout():
    rng = np.random.default_rng(1)
    nhwc = rng.integers(0, 256, (64, 16, 12, 3), dtype=np.uint8)  # uint8, channels last, H != W
    nchw = np.ascontiguousarray(nhwc.transpose(0, 3, 1, 2))
    m = vkae.Model("dae")
    m.fit(nhwc, batch_size=32, verbose=0)
    assert m.input_shape == (3, 16, 12)
    last = m.predict(nhwc[:4])
    first = m.predict(nchw[:4], channels_first=True)
    assert last.shape == (4, 16, 12, 3) and first.shape == (4, 3, 16, 12)
    np.testing.assert_array_equal(last, first.transpose(0, 2, 3, 1))
    assert m.decode(m.encode(nhwc[:2])).shape == (2, 16, 12, 3)
    same = vkae.Model("dae")
    same.fit(nchw, batch_size=32, verbose=0, channels_first=True)
    np.testing.assert_array_equal(same.predict(nhwc[:4]), last)  # the same training, bit for bit


def test_early_stopping_and_plateau_are_the_clis_training_control(mnist, tmp_path):
    x, val = mnist["x"], mnist["val"]
    keras = [vkae.EarlyStopping(patience=1, min_delta=0.01), vkae.ReduceLROnPlateau(factor=0.5, patience=1,
                                                                                    min_delta=0.01)]
    m = vkae.Model("dense")
    h = m.fit(x, epochs=12, batch_size=64, lr=0.05, validation_data=val, callbacks=keras, verbose=0)
    out = tmp_path / "cli"
    run_cli("train", "mnist", "--model", "dense", "--limit", 256, "--val-limit", 128, "--batch", 64, "--lr", 0.05,
            "--noise", 0, "--epochs", 12, "--early-stopping", 1, "--min-delta", 0.01, "--lr-schedule", "plateau",
            "--lr-gamma", 0.5, "--lr-patience", 1, "--no-tensorboard", "--out", out)
    rows = [json.loads(line) for line in open(out / "metrics.jsonl")]
    cli_val = [r["val_loss"] for r in rows if r["type"] == "epoch"]
    assert len(cli_val) < 12  # it stopped early
    assert h.history["val_loss"] == pytest.approx(cli_val, rel=1e-6) and m.epochs_done == len(cli_val)
    assert list(h.history) == ["loss", "val_loss", "lr"]
    with pytest.raises(ValueError, match="pass the same ones"):
        m.fit(x, batch_size=64, lr=0.05, validation_data=val, verbose=0)
    with pytest.raises(ValueError, match="expected validation_data or validation_split"):
        vkae.Model("dense").fit(x, callbacks=[vkae.EarlyStopping()], verbose=0)
    with pytest.raises(ValueError, match="factor=2\\): expected a number in \\(0, 1\\)"):
        vkae.ReduceLROnPlateau(factor=2)


def test_a_keras_style_callback_sees_each_epoch_and_can_stop_the_run(mnist):
    class Recorder:
        def __init__(self):
            self.calls = []

        def on_train_begin(self, logs=None):
            self.calls.append("begin")

        def on_epoch_end(self, epoch, logs=None):
            self.calls.append((epoch, round(logs["val_loss"], 6)))
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.calls.append("end")

    r = Recorder()
    m = vkae.Model("dense")
    h = m.fit(mnist["x"], epochs=5, batch_size=64, validation_data=mnist["val"], callbacks=[r], verbose=0)
    assert r.model is m and h.epoch == [0, 1] and m.epochs_done == 2
    assert r.calls == ["begin"] + [(e, round(v, 6)) for e, v in zip(h.epoch, h.history["val_loss"])] + ["end"]

    class Failing:
        def on_epoch_end(self, epoch, logs=None):
            raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        m.fit(mnist["x"], batch_size=64, validation_data=mnist["val"], callbacks=[Failing()], verbose=0)
