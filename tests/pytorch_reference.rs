//! The training loop step by step against PyTorch: same weights, same data, same Adam.
//!
//! A 2 -> 3 -> 2 tanh network with hand-set parameters is pretrained for 4 epochs and trained
//! for 4, with learning rate 0.05 so that every step moves the numbers visibly. The reference
//! numbers came from PyTorch 2.15 (float32) running this snippet:
//!
//! ```text
//! net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
//! with torch.no_grad():
//!     net[0].weight.copy_(W1); net[0].bias.copy_(b1)
//!     net[2].weight.copy_(W2); net[2].bias.copy_(b2)
//! opt = torch.optim.Adam(net.parameters(), lr=0.05)
//! def epoch(X, y, train):
//!     if train: opt.zero_grad()
//!     out = net(X)
//!     t = torch.where(y > 0, 1, 0)
//!     acc = (out.argmax(1) == t).float().mean()
//!     loss = torch.nn.CrossEntropyLoss()(out, t)
//!     if train: loss.backward(); opt.step()
//!     return float(loss), float(acc)
//! pre = [epoch(X_pre, y_pre, True) for _ in range(4)]
//! for _ in range(4):
//!     train = epoch(X_train, y_train, True)
//!     with torch.no_grad(): test = epoch(X_test, y_test, False)
//! ```

use pretrain_lab::data::{LabeledPoints, Split};
use pretrain_lab::loss::Objective;
use pretrain_lab::model::{Activation, LayerParameters, Mlp};
use pretrain_lab::train::{Control, EpochReport, TrainConfig};
use pretrain_lab::{backend, pretrain_and_train};

const TOLERANCE: f64 = 2e-5;

fn network(device: &pretrain_lab::burn::tensor::Device) -> Mlp {
    // PyTorch's [out, in] weights, written here in burn's [in, out] layout.
    let hidden = LayerParameters {
        d_input: 2,
        d_output: 3,
        weight: vec![0.5, 0.8, -0.6, -0.3, 0.1, 0.7],
        bias: vec![0.1, -0.2, 0.05],
    };
    let output = LayerParameters {
        d_input: 3,
        d_output: 2,
        weight: vec![0.3, -0.4, -0.5, 0.6, 0.2, 0.9],
        bias: vec![0.0, 0.1],
    };
    Mlp::from_parameters(&[hidden, output], Activation::Tanh, device).unwrap()
}

fn points(points: &[[f32; 2]], labels: &[i8]) -> LabeledPoints {
    LabeledPoints::new(points.to_vec(), labels.to_vec()).unwrap()
}

fn assert_close(got: f64, expected: f64, what: &str) {
    assert!(
        (got - expected).abs() < TOLERANCE,
        "{what}: {got} vs PyTorch's {expected}"
    );
}

#[test]
fn losses_accuracies_and_weights_match_pytorch() {
    let pretrain = points(
        &[
            [2.0, 0.0],
            [0.0, -2.0],
            [6.0, 0.5],
            [-5.5, 1.0],
            [1.0, 1.5],
            [0.3, -7.0],
        ],
        &[1, 1, -1, -1, 1, -1],
    );
    let split = Split {
        train: points(
            &[[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5], [2.5, -2.5]],
            &[-1, 1, 1, -1],
        ),
        test: points(&[[0.5, 0.5], [-1.0, -1.0], [3.0, 1.0]], &[1, -1, 1]),
    };
    let config = TrainConfig {
        learning_rate: 0.05,
        n_pretrain_epochs: 4,
        n_train_epochs: 4,
        objective: Objective::CrossEntropy,
    };

    for name in backend::available() {
        let device = backend::device(name).unwrap();
        let outcome = pretrain_and_train(
            &device,
            network(&device),
            &pretrain,
            &split,
            &config,
            &mut |_: &EpochReport| Control::Continue,
        )
        .unwrap();
        let history = &outcome.history;

        let pretrain_reference = [
            (0.7103456854820251, 0.5),
            (0.6439794898033142, 0.5),
            (0.6099721789360046, 0.6666666865348816),
            (0.5874810814857483, 0.6666666865348816),
        ];
        for (epoch, (loss, accuracy)) in pretrain_reference.into_iter().enumerate() {
            assert_close(
                history.pretrain_loss[epoch],
                loss,
                &format!("{name} pretrain loss {epoch}"),
            );
            assert_close(
                history.pretrain_acc[epoch],
                accuracy,
                &format!("{name} pretrain acc {epoch}"),
            );
        }

        let train_reference = [
            (0.8569521903991699, 0.25, 0.306275874376297, 1.0),
            (0.8358972072601318, 0.25, 0.31972479820251465, 1.0),
            (0.7822538614273071, 0.25, 0.34316563606262207, 1.0),
            (0.713477611541748, 0.25, 0.3766832649707794, 1.0),
        ];
        for (epoch, (train_loss, train_acc, test_loss, test_acc)) in
            train_reference.into_iter().enumerate()
        {
            let at = |what: &str| format!("{name} {what} {epoch}");
            assert_close(history.train_loss[epoch], train_loss, &at("train loss"));
            assert_close(history.train_acc[epoch], train_acc, &at("train acc"));
            assert_close(history.test_loss[epoch], test_loss, &at("test loss"));
            assert_close(history.test_acc[epoch], test_acc, &at("test acc"));
        }

        // The final weights, PyTorch's [out, in] read into burn's [in, out] layout.
        let final_reference = [
            (
                [
                    [0.3776337504386902, -0.1787157952785492],
                    [1.014973521232605, 0.23823128640651703],
                    [-0.3682476282119751, 0.5292451977729797],
                ]
                .concat(),
                vec![
                    -0.14706294238567352,
                    -0.03362739831209183,
                    0.2824123799800873,
                ],
            ),
            (
                [
                    [0.2381250411272049, -0.5753528475761414, 0.27369046211242676],
                    [-0.3381250500679016, 0.6753528118133545, 0.8263095617294312],
                ]
                .concat(),
                vec![0.07464253902435303, 0.025357384234666824],
            ),
        ];
        let layers = outcome.trained.parameters().unwrap();
        for (layer, (weight_out_in, bias)) in layers.iter().zip(final_reference) {
            for output in 0..layer.d_output {
                for input in 0..layer.d_input {
                    let got = f64::from(layer.weight[input * layer.d_output + output]);
                    let expected = weight_out_in[output * layer.d_input + input];
                    assert_close(got, expected, &format!("{name} weight [{output}, {input}]"));
                }
            }
            for (got, expected) in layer.bias.iter().zip(bias) {
                assert_close(f64::from(*got), expected, &format!("{name} bias"));
            }
        }
    }
}
