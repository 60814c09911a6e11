//! Figures: the six-panel figure of an experiment, decision surfaces, the linear classifier.
//!
//! Everything is drawn in pure Rust with plotters and an embedded DejaVu Sans font, so no
//! system font or C library is involved. The format follows the file's extension: `.png` for a
//! bitmap, `.svg` for a vector image. A figure is drawn into a temporary file beside the target
//! and renamed into place, so a crash never leaves a half-written image under the final name.
//!
//! ```no_run
//! use pretrain_lab::{Experiment, backend, plot};
//!
//! let report = Experiment::default().run(&backend::cpu_device())?;
//! plot::experiment_figure(&report, "spiral.png", &plot::FigureOptions::default())?;
//! # Ok::<(), pretrain_lab::Error>(())
//! ```

use std::ops::Range;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use crate::data::LabeledPoints;
use crate::error::{Error, Result};
use crate::experiment::Report;
use crate::files::temporary_path;
use crate::linear::LinearClassifier;
use crate::loss::MarginLoss;
use crate::model::Mlp;
use crate::train::History;

/// The colour, as RGB, of the region a model assigns to label -1.
pub const NEGATIVE_REGION: [u8; 3] = [174, 199, 232];
/// The colour of the region a model assigns to label +1.
pub const POSITIVE_REGION: [u8; 3] = [255, 200, 150];
/// The colour of a point labelled -1.
pub const NEGATIVE_POINT: [u8; 3] = [31, 90, 180];
/// The colour of a point labelled +1.
pub const POSITIVE_POINT: [u8; 3] = [230, 110, 0];
/// The colour of training curves.
pub const TRAIN_CURVE: [u8; 3] = [220, 20, 20];
/// The colour of test curves.
pub const TEST_CURVE: [u8; 3] = [20, 20, 220];

/// A colour as plotters takes it.
fn rgb([red, green, blue]: [u8; 3]) -> RGBColor {
    RGBColor(red, green, blue)
}

/// The margin added around the points on every side of a decision-surface panel.
const EXTENT_PADDING: f64 = 1.0;

/// The font family every text is set in; DejaVu Sans is registered under this name.
const FONT: &str = "sans-serif";

/// The size of a figure and the detail of its decision surfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureOptions {
    /// Width in pixels (in SVG user units for `.svg`). Default 800.
    pub width: u32,
    /// Height in pixels. Default 1200, the exercise's 8 x 12 inch proportions.
    pub height: u32,
    /// Grid cells along each axis of a decision surface. Default 150.
    pub resolution: usize,
}

impl Default for FigureOptions {
    fn default() -> Self {
        Self {
            width: 800,
            height: 1200,
            resolution: 150,
        }
    }
}

impl FigureOptions {
    /// Checks that the figure is large enough to lay out and the grid fine enough to show.
    ///
    /// # Errors
    ///
    /// [`Error::TooSmall`] for a width under 200, a height under 200 or a resolution under 2,
    /// and [`Error::TooLarge`] for a width or height over 10 000 or a resolution over 2000.
    pub fn validate(&self) -> Result<()> {
        Error::check_at_least("width", self.width as usize, 200)?;
        Error::check_at_least("height", self.height as usize, 200)?;
        Error::check_at_least("resolution", self.resolution, 2)?;
        Error::check_at_most("width", self.width as usize, 10_000)?;
        Error::check_at_most("height", self.height as usize, 10_000)?;
        Error::check_at_most("resolution", self.resolution, 2000)
    }
}

/// The rectangle `[[x_min, x_max], [y_min, y_max]]` a panel shows.
pub type Extent = [[f64; 2]; 2];

/// A model's predicted label over a regular grid of the plane.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionSurface {
    /// The rectangle the grid covers.
    pub extent: Extent,
    /// Cells along each axis.
    pub resolution: usize,
    /// The predicted label (-1 or +1) at the centre of each cell, row by row from the bottom
    /// (smallest y) up, each row from left to right.
    pub labels: Vec<i8>,
}

impl DecisionSurface {
    /// Predicts the label at the centre of every cell of a `resolution x resolution` grid over
    /// `extent`, in one batched forward pass.
    ///
    /// # Errors
    ///
    /// [`Error::TooSmall`] for a resolution under 1, [`Error::InvalidExtent`] for an extent that
    /// is empty or not finite, and [`Error::Backend`] when the forward pass fails.
    pub fn compute(model: &Mlp, extent: Extent, resolution: usize) -> Result<Self> {
        let centres = Self::cell_centres(extent, resolution)?;
        let labels = model.predict(&centres)?;
        Ok(Self {
            extent,
            resolution,
            labels,
        })
    }

    /// The label `classify` gives the centre of every cell of a `resolution x resolution` grid
    /// over `extent`: the decision surface of any classifier of points.
    ///
    /// # Errors
    ///
    /// [`Error::TooSmall`] for a resolution under 1 and [`Error::InvalidExtent`] for an extent
    /// that is empty or not finite.
    pub fn from_fn(
        extent: Extent,
        resolution: usize,
        classify: impl Fn([f32; 2]) -> i8,
    ) -> Result<Self> {
        let labels = Self::cell_centres(extent, resolution)?
            .into_iter()
            .map(classify)
            .collect();
        Ok(Self {
            extent,
            resolution,
            labels,
        })
    }

    /// The centres of the grid's cells, row by row from the bottom.
    fn cell_centres(extent: Extent, resolution: usize) -> Result<Vec<[f32; 2]>> {
        Error::check_at_least("resolution", resolution, 1)?;
        check_extent(extent)?;
        let [x, y] = extent.map(|[low, high]| {
            let step = (high - low) / resolution as f64;
            move |i: usize| (low + (i as f64 + 0.5) * step) as f32
        });
        Ok((0..resolution)
            .flat_map(|row| (0..resolution).map(move |column| [x(column), y(row)]))
            .collect())
    }

    /// The predicted label of the cell holding the point `(x, y)`, if it lies inside.
    pub fn label_at(&self, x: f64, y: f64) -> Option<i8> {
        let [column, row] = [(x, self.extent[0]), (y, self.extent[1])].map(|(v, [low, high])| {
            let cell = ((v - low) / (high - low) * self.resolution as f64).floor();
            (0.0..self.resolution as f64)
                .contains(&cell)
                .then_some(cell as usize)
        });
        Some(self.labels[row? * self.resolution + column?])
    }
}

/// The extent of `points` with a margin of 1 on every side, as the exercise's panels show;
/// a unit square around the origin for no points.
pub fn padded_extent(points: &LabeledPoints) -> Extent {
    match points.bounds() {
        Some(bounds) => bounds.map(|[low, high]| {
            [
                f64::from(low) - EXTENT_PADDING,
                f64::from(high) + EXTENT_PADDING,
            ]
        }),
        None => [[-1.0, 1.0], [-1.0, 1.0]],
    }
}

fn check_extent(extent: Extent) -> Result<()> {
    for [low, high] in extent {
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(Error::InvalidExtent { low, high });
        }
    }
    Ok(())
}

/// Draws the six-panel figure of an experiment to `path` (`.png` or `.svg`).
///
/// | panel | shows |
/// | --- | --- |
/// | top left | pretrained model's decision surface, ring points, top right's axis limits |
/// | top right | pretrained model's decision surface, spiral train points |
/// | middle left | trained model's decision surface, spiral train points |
/// | middle right | trained model's decision surface, spiral test points |
/// | bottom left | loss per epoch, train red and test blue, y from the minimum to twice the maximum |
/// | bottom right | accuracy per epoch, y from 0 to 1.1, with the final mean test accuracy |
///
/// The experiment's title stands on top. A run without training epochs gets curve panels that
/// say so.
///
/// # Errors
///
/// [`Error::UnsupportedFormat`] for an extension other than `.png` or `.svg`, the errors of
/// [`FigureOptions::validate`], [`Error::Backend`] when a forward pass fails, and
/// [`Error::Plot`] or [`Error::Io`] naming the path when the image cannot be written.
pub fn experiment_figure(
    report: &Report,
    path: impl AsRef<Path>,
    options: &FigureOptions,
) -> Result<()> {
    options.validate()?;
    let format = Format::of(path.as_ref())?;
    let outcome = &report.outcome;
    let spiral = &report.data.spiral;

    let top_right = padded_extent(&spiral.train);
    let panels = [
        (
            "Pretrained model, pretraining data",
            &outcome.pretrained,
            &report.data.pretrain,
            top_right,
        ),
        (
            "Pretrained model, train data",
            &outcome.pretrained,
            &spiral.train,
            top_right,
        ),
        (
            "Trained model, train data",
            &outcome.trained,
            &spiral.train,
            top_right,
        ),
        (
            "Trained model, test data",
            &outcome.trained,
            &spiral.test,
            padded_extent(&spiral.test),
        ),
    ];
    let surfaces = panels
        .into_iter()
        .map(|(caption, model, points, extent)| {
            let surface = DecisionSurface::compute(model, extent, options.resolution)?;
            Ok(SurfacePanel {
                caption,
                surface,
                points,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let figure = ExperimentFigure {
        title: &report.experiment.title,
        surfaces,
        history: &outcome.history,
    };
    render(path.as_ref(), format, options, &figure)
}

/// Draws one decision surface of `model` with `points` on it to `path` (`.png` or `.svg`).
///
/// The panel covers `extent`, or the points' extent with a margin of 1 when `extent` is
/// `None`.
///
/// # Errors
///
/// As [`experiment_figure`], and [`Error::InvalidExtent`] for an empty or non-finite extent.
pub fn surface_figure(
    model: &Mlp,
    points: &LabeledPoints,
    extent: Option<Extent>,
    title: &str,
    path: impl AsRef<Path>,
    options: &FigureOptions,
) -> Result<()> {
    options.validate()?;
    let format = Format::of(path.as_ref())?;
    let extent = extent.unwrap_or_else(|| padded_extent(points));
    let surface = DecisionSurface::compute(model, extent, options.resolution)?;
    let panel = SurfacePanel {
        caption: title,
        surface,
        points,
    };
    render(path.as_ref(), format, options, &panel)
}

/// Draws a linear classifier over labelled points to `path` (`.png` or `.svg`): the points
/// coloured by label on the half-planes the classifier predicts (shaded on a grid of
/// `options.resolution` cells a side), the boundary `g = 0` (solid), the margins `g = +1` and
/// `g = -1` (dashed), and beside each point its loss under `loss`.
///
/// # Errors
///
/// As [`LinearClassifier::loss_table`] for the points and labels, and as
/// [`experiment_figure`] for the path and options.
pub fn linear_classifier_figure(
    classifier: &LinearClassifier,
    points: &[[f64; 2]],
    labels: &[i8],
    loss: MarginLoss,
    path: impl AsRef<Path>,
    options: &FigureOptions,
) -> Result<()> {
    options.validate()?;
    let format = Format::of(path.as_ref())?;
    let table = classifier.loss_table(points, labels)?;
    let as_f32 = points.iter().map(|p| [p[0] as f32, p[1] as f32]).collect();
    let extent = padded_extent(&LabeledPoints {
        points: as_f32,
        labels: labels.to_vec(),
    });
    let figure = LinearFigure {
        resolution: options.resolution,
        classifier,
        table,
        loss,
        extent,
    };
    render(path.as_ref(), format, options, &figure)
}

/// Checks that `path` names a format the crate writes (`.png` or `.svg`), before any work is
/// spent on the figure.
///
/// # Errors
///
/// [`Error::UnsupportedFormat`] naming the path otherwise.
pub fn check_path(path: impl AsRef<Path>) -> Result<()> {
    Format::of(path.as_ref()).map(|_| ())
}

/// The error of a drawing step; it becomes an [`Error::Plot`] naming the file.
type Drawn = std::result::Result<(), Box<dyn std::error::Error>>;

/// Something that can draw itself on any plotters backend.
trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static;
}

/// The image formats, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Svg,
}

impl Format {
    fn of(path: &Path) -> Result<Self> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(Error::UnsupportedFormat {
                path: path.to_owned(),
            }),
        }
    }
}

/// Draws `figure` into a temporary file beside `path`, then renames it to `path`.
fn render(
    path: &Path,
    format: Format,
    options: &FigureOptions,
    figure: &impl Figure,
) -> Result<()> {
    register_fonts();
    let temporary = temporary_path(path);
    let size = (options.width, options.height);
    let drawn = match format {
        Format::Png => draw_and_present(BitMapBackend::new(&temporary, size), figure),
        Format::Svg => draw_and_present(SVGBackend::new(&temporary, size), figure),
    };
    if let Err(error) = drawn {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::Plot {
            path: path.to_owned(),
            message: error.to_string(),
        });
    }
    std::fs::rename(&temporary, path).map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        Error::Io {
            action: "write",
            path: path.to_owned(),
            source,
        }
    })
}

fn draw_and_present<DB: DrawingBackend>(backend: DB, figure: &impl Figure) -> Drawn
where
    DB::ErrorType: 'static,
{
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    figure.draw(&root)?;
    root.present()?;
    Ok(())
}

/// Registers the embedded DejaVu Sans as the sans-serif family, once per process.
fn register_fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The embedded fonts are valid TrueType files; were one refused, text would be missing
        // from the figure and plotters would report the missing font when drawing.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

struct SurfacePanel<'a> {
    caption: &'a str,
    surface: DecisionSurface,
    points: &'a LabeledPoints,
}

impl Figure for SurfacePanel<'_> {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let mut chart = cartesian(area, self.caption, self.surface.extent)?;
        draw_regions(&mut chart, &self.surface)?;
        let [[x0, x1], [y0, y1]] = self.surface.extent;
        let inside =
            move |&(x, y, _): &(f64, f64, i8)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
        let points = self.points.points.iter().zip(&self.points.labels);
        let points = points
            .map(|(p, &l)| (f64::from(p[0]), f64::from(p[1]), l))
            .filter(inside);
        draw_points(&mut chart, points, 4)
    }
}

struct ExperimentFigure<'a> {
    title: &'a str,
    surfaces: Vec<SurfacePanel<'a>>,
    history: &'a History,
}

impl Figure for ExperimentFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let root = root.margin(8, 0, 0, 0);
        let root = root.titled(self.title, (FONT, 26).into_font().style(FontStyle::Bold))?;
        let areas = root.split_evenly((3, 2));
        for (area, panel) in areas.iter().zip(&self.surfaces) {
            panel.draw(area)?;
        }
        let history = self.history;
        let epochs = history.n_train_epochs();
        let losses = [
            (&history.train_loss, "train", rgb(TRAIN_CURVE)),
            (&history.test_loss, "test", rgb(TEST_CURVE)),
        ];
        let finite = || {
            losses
                .iter()
                .flat_map(|(series, ..)| series.iter())
                .filter(|v| v.is_finite())
        };
        let low = finite().copied().fold(f64::INFINITY, f64::min);
        let high = finite().copied().fold(f64::NEG_INFINITY, f64::max);
        if epochs == 0 || !low.is_finite() {
            let note = if epochs == 0 {
                "no training epochs"
            } else {
                "no finite loss"
            };
            empty_panel(&areas[4], "Loss per Epoch", note)?;
        } else {
            let y = if high > 0.0 && 2.0 * high > low {
                low..2.0 * high
            } else {
                low - 1.0..low + 1.0
            };
            let legend = SeriesLabelPosition::UpperRight;
            curve_panel(
                &areas[4],
                "Loss per Epoch",
                epochs,
                y,
                &losses,
                legend,
                None,
            )?;
        }
        if epochs == 0 {
            empty_panel(&areas[5], "Accuracy per Epoch", "no training epochs")?;
        } else {
            let accuracies = [
                (&history.train_acc, "train", rgb(TRAIN_CURVE)),
                (&history.test_acc, "test", rgb(TEST_CURVE)),
            ];
            let note = history
                .final_mean_test_acc()
                .map(|accuracy| format!("Final mean test acc: {:.1}%", 100.0 * accuracy));
            curve_panel(
                &areas[5],
                "Accuracy per Epoch",
                epochs,
                0.0..1.1,
                &accuracies,
                SeriesLabelPosition::UpperLeft,
                note,
            )?;
        }
        Ok(())
    }
}

struct LinearFigure<'a> {
    classifier: &'a LinearClassifier,
    table: crate::linear::LossTable,
    loss: MarginLoss,
    extent: Extent,
    resolution: usize,
}

impl Figure for LinearFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn
    where
        DB::ErrorType: 'static,
    {
        let [w0, w1, w2] = self.classifier.weights;
        let term =
            |w: f64, x: &str| format!(" {} {} {x}", if w < 0.0 { '-' } else { '+' }, w.abs());
        let title = format!(
            "g(x) = {w0}{}{}: g = 0 solid, g = \u{b1}1 dashed, {} loss per point",
            term(w1, "x1"),
            term(w2, "x2"),
            self.loss.name()
        );
        let mut chart = cartesian(root, &title, self.extent)?;
        let classifier = self.classifier;
        let surface = DecisionSurface::from_fn(self.extent, self.resolution, |[x1, x2]| {
            if classifier.margin([f64::from(x1), f64::from(x2)]) > 0.0 {
                1
            } else {
                -1
            }
        })
        .map_err(|error| error.to_string())?;
        draw_regions(&mut chart, &surface)?;
        for (level, dashed) in [(0.0, false), (1.0, true), (-1.0, true)] {
            let Some(segment) = level_segment(self.classifier.weights, level, self.extent) else {
                continue;
            };
            if dashed {
                chart.draw_series(DashedLineSeries::new(segment, 8, 6, BLACK.stroke_width(1)))?;
            } else {
                chart.draw_series(LineSeries::new(segment, BLACK.stroke_width(2)))?;
            }
        }
        let column = MarginLoss::ALL
            .iter()
            .position(|&l| l == self.loss)
            .unwrap_or(0);
        let rows = &self.table.rows;
        draw_points(
            &mut chart,
            rows.iter().map(|r| (r.point[0], r.point[1], r.label)),
            6,
        )?;
        chart.draw_series(rows.iter().map(|row| {
            let text = format!("   {:.3}", row.losses[column]);
            Text::new(text, (row.point[0], row.point[1]), (FONT, 16))
        }))?;
        Ok(())
    }
}

/// One rectangle per run of equal labels in a row of the grid, which keeps SVG files small.
fn draw_regions<DB: DrawingBackend>(chart: &mut Chart<'_, DB>, surface: &DecisionSurface) -> Drawn
where
    DB::ErrorType: 'static,
{
    let [[x0, x1], [y0, y1]] = surface.extent;
    let n = surface.resolution;
    let (dx, dy) = ((x1 - x0) / n as f64, (y1 - y0) / n as f64);
    let mut cells = Vec::new();
    for (row, labels) in surface.labels.chunks(n).enumerate() {
        let mut start = 0;
        for column in 1..=n {
            if column == n || labels[column] != labels[start] {
                let region = if labels[start] > 0 {
                    POSITIVE_REGION
                } else {
                    NEGATIVE_REGION
                };
                let low = (x0 + start as f64 * dx, y0 + row as f64 * dy);
                let high = (x0 + column as f64 * dx, y0 + (row + 1) as f64 * dy);
                cells.push(Rectangle::new([low, high], rgb(region).filled()));
                start = column;
            }
        }
    }
    chart.draw_series(cells)?;
    Ok(())
}

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A captioned chart with labelled axes over `extent`.
fn cartesian<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    caption: &str,
    extent: Extent,
) -> std::result::Result<Chart<'a, DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let [[x0, x1], [y0, y1]] = extent;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 17))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(40)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style((FONT, 13))
        .draw()?;
    Ok(chart)
}

/// Filled circles in the label's colour with a black rim.
fn draw_points<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    points: impl Iterator<Item = (f64, f64, i8)> + Clone,
    radius: i32,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let fill = points.clone().map(|(x, y, label)| {
        let color = rgb(if label > 0 {
            POSITIVE_POINT
        } else {
            NEGATIVE_POINT
        });
        Circle::new((x, y), radius, color.filled())
    });
    chart.draw_series(fill)?;
    chart
        .draw_series(points.map(|(x, y, _)| Circle::new((x, y), radius, BLACK.stroke_width(1))))?;
    Ok(())
}

fn curve_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    epochs: usize,
    y: Range<f64>,
    series: &[(&Vec<f64>, &str, RGBColor)],
    legend: SeriesLabelPosition,
    note: Option<String>,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 17))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0..epochs.max(1) as f64, y.clone())?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(6)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .label_style((FONT, 13))
        .x_desc("epoch")
        .draw()?;
    for &(values, name, color) in series {
        let line = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, &v)| (i as f64, v));
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(legend)
        .draw()?;
    if let Some(note) = note {
        let at = (0.04 * epochs as f64, y.start + 0.06 * (y.end - y.start));
        let style = (FONT, 16).into_font().style(FontStyle::Bold);
        chart.draw_series(std::iter::once(Text::new(note, at, style)))?;
    }
    Ok(())
}

fn empty_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    note: &str,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let area = area.margin(10, 10, 10, 10).titled(caption, (FONT, 17))?;
    let (width, height) = area.dim_in_pixel();
    let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(note, &style, (width as i32 / 2, height as i32 / 2))?;
    Ok(())
}

/// The part of the line `w0 + w1*x + w2*y = level` inside `extent`, if any.
fn level_segment(weights: [f64; 3], level: f64, extent: Extent) -> Option<Vec<(f64, f64)>> {
    let [w0, w1, w2] = weights;
    let [[x0, x1], [y0, y1]] = extent;
    let inside = |&(x, y): &(f64, f64)| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
    let mut ends = Vec::with_capacity(4);
    if w2 != 0.0 {
        ends.extend([x0, x1].map(|x| (x, (level - w0 - w1 * x) / w2)));
    }
    if w1 != 0.0 {
        ends.extend([y0, y1].map(|y| ((level - w0 - w2 * y) / w1, y)));
    }
    ends.retain(inside);
    ends.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let (first, last) = (*ends.first()?, *ends.last()?);
    (first != last).then(|| vec![first, last])
}
